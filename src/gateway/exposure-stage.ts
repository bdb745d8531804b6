import type { SecurityTrail } from "../trail/index.js";
import path from "node:path";
import type { HoldfastPaths } from "../config/index.js";
import { HoldfastError } from "../errors/index.js";
import { cliHint, type Clock } from "../infra/index.js";
import type { Logger } from "../logging/index.js";
import { ExposureAuthenticator, type AuthSettings } from "./auth/gateway-authenticator.js";
import type { TailscaleWhois } from "./auth/identity-headers.js";
import { AuthRateLimiter, DEFAULT_RATE_LIMIT, type RateLimitConfig } from "./auth/rate-limit.js";
import type { DeviceAuthority } from "./auth/types.js";
import { detectContainer, findTailnetAddress, type BindMode } from "./bind.js";
import { configuredCredentials, generatedToken, type CredentialSources } from "./credentials.js";
import { planExposure, type ExposureInput, type ExposurePlan } from "./exposure.js";
import { invalidProxyEntry, proxyMatcher, type ProxyTrust } from "./net.js";
import type { ControlUiRoutes } from "./http/app.js";
import { normalizeOrigin, type OriginPolicy } from "./origin.js";
import { tailscaleCli, tailscaleWhois, TailscaleExposure, type TailscaleRunner } from "./tailscale.js";
import { checkTls, loadTls, type TlsMaterial } from "./tls.js";

/**
 * What deciding the exposure reads: the config, the environment, resolved secrets, state paths, the
 * clock and the log (the app's context has all of them).
 */
export interface ExposureContext extends CredentialSources {
  readonly paths: Pick<HoldfastPaths, "stateDir" | "generatedTokenFile">;
  readonly clock: Clock;
  readonly log: Logger;
  /** Writes a line for the operator's terminal (where the generated token is stored). */
  readonly say: (line: string) => void;
}

/** Command-line overrides and test seams of {@link createExposure}. */
export interface ExposureOptions {
  /** `--bind`: overrides `gateway.bind`. */
  readonly bind?: BindMode;
  /** `--port`: overrides `HOLDFAST_GATEWAY_PORT` and `gateway.port`. */
  readonly port?: number;
  /** The `tailscale` CLI (default: the executable on the environment's PATH). */
  readonly tailscaleRunner?: TailscaleRunner;
  /** The host's Tailscale address for bind=tailnet (default: found on the network interfaces). */
  readonly tailnetAddress?: string;
  /** Container detection for bind=auto (default: {@link detectContainer}). */
  readonly inContainer?: boolean;
}

/** The network exposure: where to listen, how clients authenticate, TLS and Tailscale. */
export interface GatewayExposure {
  readonly plan: ExposurePlan;
  readonly port: number;
  /** Auth settings with the effective token (configured or generated). */
  readonly settings: AuthSettings;
  readonly proxyTrust: ProxyTrust;
  readonly origin: OriginPolicy;
  readonly rateLimit: RateLimitConfig;
  readonly limiter: AuthRateLimiter;
  readonly tls?: TlsMaterial;
  /** `gateway.controlUi.enabled` (default true) and `basePath` (normalized: `""` or `/path`). */
  readonly controlUi: ControlUiRoutes;
  readonly tailscale?: TailscaleExposure;
  readonly whois?: TailscaleWhois;
}

/**
 * Decides and checks the gateway's exposure before anything listens (seeds "Network Security",
 * "Gateway Authentication"; reference §2–§3): bind mode (`--bind` > `gateway.bind` > loopback), port
 * (`--port` > `HOLDFAST_GATEWAY_PORT` > `gateway.port` > 18789), auth mode and credentials (weak ones
 * refused), trusted proxies, browser origins, the failed-auth limiter, TLS (required beyond loopback)
 * and Tailscale.
 * @throws HoldfastError HF_GATEWAY_BIND_REFUSED / HF_GATEWAY_AUTH_CONFIG / HF_GATEWAY_TLS /
 *   HF_CONFIG_INVALID (exit 78) or HF_GATEWAY_LISTEN: the gateway must not start.
 */
export async function createExposure(ctx: ExposureContext, opts: ExposureOptions = {}): Promise<GatewayExposure> {
  const cfg = ctx.config.gateway ?? {};
  const { plan, port } = await checkExposure(ctx, opts);
  const token = plan.token ?? (plan.generateToken ? await generatedToken(ctx) : undefined);
  // Tailscale Serve/Funnel reach the gateway through a proxy on loopback: that hop is trusted so the
  // client address comes from its X-Forwarded-For (and such requests never get local trust).
  const isTrustedProxy = proxyMatcher([
    ...(cfg.trustedProxies ?? []),
    ...(plan.tailscale !== "off" ? ["127.0.0.1", "::1"] : []),
  ]);
  const tp = cfg.auth?.trustedProxy;
  const settings: AuthSettings = {
    mode: plan.authMode,
    ...(token ? { token } : {}),
    ...(plan.password ? { password: plan.password } : {}),
    ...(tp?.userHeader
      ? {
          trustedProxy: {
            userHeader: tp.userHeader,
            requiredHeaders: tp.requiredHeaders ?? [],
            allowUsers: tp.allowUsers ?? [],
            allowLoopback: tp.allowLoopback === true,
          },
        }
      : {}),
    isTrustedProxy,
    allowTailscale: plan.allowTailscale,
  };
  assertTransport(ctx, plan);
  const rateLimit = { ...DEFAULT_RATE_LIMIT, ...stripUndefined(cfg.auth?.rateLimit ?? {}) };
  const tls = await loadTls(cfg.tls, path.join(ctx.paths.stateDir, "tls"), plan.hosts, ctx.clock.now());
  const runner =
    plan.tailscale !== "off" || plan.allowTailscale ? (opts.tailscaleRunner ?? tailscaleCli(ctx.env)) : undefined;
  warnExposure(ctx, plan);
  return {
    plan,
    port,
    settings,
    proxyTrust: { isTrustedProxy, allowRealIpFallback: cfg.allowRealIpFallback === true },
    origin: {
      allowedOrigins: cfg.controlUi?.allowedOrigins ?? [],
      hostHeaderFallback: cfg.controlUi?.dangerouslyAllowHostHeaderOriginFallback === true,
    },
    rateLimit,
    limiter: new AuthRateLimiter(rateLimit, () => ctx.clock.now()),
    controlUi: { enabled: cfg.controlUi?.enabled !== false, basePath: basePathOf(cfg.controlUi?.basePath) },
    ...(tls ? { tls } : {}),
    ...(runner && plan.tailscale !== "off"
      ? {
          tailscale: new TailscaleExposure(
            runner,
            plan.tailscale,
            ctx.log.child({ stage: "tailscale" }),
            cfg.tailscale?.resetOnExit ?? true,
          ),
        }
      : {}),
    ...(runner && plan.allowTailscale ? { whois: tailscaleWhois(runner) } : {}),
  };
}

/** What {@link checkExposure} decided: the exposure plan and the port to listen on. */
export interface CheckedExposure {
  readonly plan: ExposurePlan;
  readonly port: number;
}

/**
 * Every refusal of {@link createExposure}, without its side effects (no token file is written, no
 * certificate generated): trusted proxies and origins, bind and auth ({@link planExposure}), the port
 * and TLS files. It is the gateway's exposure start precondition, also run by `holdfast doctor`
 * (`src/app/preconditions.ts`), so a new start refusal of the exposure belongs here (or in
 * `planExposure`), never only in `createExposure`.
 * @throws HoldfastError HF_GATEWAY_BIND_REFUSED / HF_GATEWAY_AUTH_CONFIG / HF_GATEWAY_TLS /
 *   HF_CONFIG_INVALID / HF_GATEWAY_LISTEN.
 */
export async function checkExposure(
  ctx: Pick<ExposureContext, "config" | "env" | "secrets" | "paths">,
  opts: ExposureOptions = {},
): Promise<CheckedExposure> {
  const cfg = ctx.config.gateway ?? {};
  assertNetworkLists(cfg.trustedProxies ?? [], cfg.controlUi?.allowedOrigins ?? []);
  const plan = planExposure(exposureInput(ctx, opts));
  const port = opts.port ?? envPort(ctx.env.HOLDFAST_GATEWAY_PORT) ?? cfg.port ?? 18789;
  await checkTls(cfg.tls, path.join(ctx.paths.stateDir, "tls"));
  return { plan, port };
}

/**
 * The gateway authenticator for an exposure: its settings, the failed-auth limiter (loopback
 * failures delayed on the context clock), device pairing and Tailscale identity when allowed.
 */
export function exposureAuthenticator(
  ctx: Pick<ExposureContext, "clock"> & { readonly trail?: SecurityTrail },
  exposure: GatewayExposure,
  devices?: DeviceAuthority,
): ExposureAuthenticator {
  return new ExposureAuthenticator({
    settings: () => exposure.settings,
    limiter: exposure.limiter,
    exemptLoopback: exposure.rateLimit.exemptLoopback,
    sleep: (ms) => ctx.clock.sleep(ms),
    ...(devices ? { devices } : {}),
    ...(ctx.trail ? { trail: ctx.trail } : {}),
    ...(exposure.whois ? { whois: exposure.whois } : {}),
  });
}

/**
 * The exposure inputs of this config and environment (also used by `holdfast status` to report
 * whether the gateway would start).
 */
export function exposureInput(ctx: CredentialSources, opts: ExposureOptions = {}): ExposureInput {
  const cfg = ctx.config.gateway ?? {};
  const tailnetAddress = opts.tailnetAddress ?? findTailnetAddress();
  return {
    bind: {
      mode: opts.bind ?? cfg.bind ?? "loopback",
      ...(cfg.customBindHost !== undefined ? { customBindHost: cfg.customBindHost } : {}),
      ...(tailnetAddress ? { tailnetAddress } : {}),
      inContainer: opts.inContainer ?? detectContainer(ctx.env),
    },
    ...(cfg.auth?.mode ? { authMode: cfg.auth.mode } : {}),
    ...configuredCredentials(ctx),
    ...(cfg.auth?.trustedProxy?.userHeader !== undefined
      ? { trustedProxyUserHeader: cfg.auth.trustedProxy.userHeader }
      : {}),
    trustedProxies: cfg.trustedProxies ?? [],
    tailscale: cfg.tailscale?.mode ?? "off",
    ...(cfg.auth?.allowTailscale !== undefined ? { allowTailscale: cfg.auth.allowTailscale } : {}),
  };
}

/** Checks `gateway.trustedProxies` (IPs/CIDRs) and `gateway.controlUi.allowedOrigins` (origins or `*`). @throws HoldfastError HF_CONFIG_INVALID. */
function assertNetworkLists(proxies: readonly string[], origins: readonly string[]): void {
  const bad = [
    ...proxies.map((p, i) => [`gateway.trustedProxies.${i}`, invalidProxyEntry(p)] as const),
    ...origins.map(
      (o, i) =>
        [
          `gateway.controlUi.allowedOrigins.${i}`,
          o === "*" || normalizeOrigin(o) ? undefined : `"${o}" is not an origin (scheme://host[:port])`,
        ] as const,
    ),
  ].filter(([, why]) => why !== undefined);
  if (bad.length)
    throw new HoldfastError(
      "HF_CONFIG_INVALID",
      `Invalid config:\n${bad.map(([at, why]) => `  - ${at}: ${why}`).join("\n")}`,
    );
}

/**
 * A listener beyond loopback must be encrypted (seeds: WSS for remote connections): `gateway.tls`
 * on, or a TLS-terminating reverse proxy in front (auth mode trusted-proxy: identities come only
 * through it), or the explicit, audited opt-out `gateway.tls.dangerouslyAllowPlaintext: true`
 * (logged at every start). Tailscale Serve/Funnel keep the bind on loopback, so they pass.
 * @throws HoldfastError HF_GATEWAY_BIND_REFUSED saying how to turn on the built-in TLS.
 */
function assertTransport(ctx: ExposureContext, plan: ExposurePlan): void {
  const tls = ctx.config.gateway?.tls;
  if (plan.loopbackOnly || tls?.enabled === true || plan.authMode === "trusted-proxy") return;
  if (tls?.dangerouslyAllowPlaintext === true) {
    ctx.log.warn(
      { hosts: plan.hosts },
      "gateway listens beyond loopback without TLS (gateway.tls.dangerouslyAllowPlaintext): tokens and messages cross the network in clear text",
    );
    return;
  }
  throw new HoldfastError(
    "HF_GATEWAY_BIND_REFUSED",
    [
      `Refusing to bind gateway to ${plan.bindMode} (${plan.hosts.join(", ")}) without TLS: tokens and messages would cross the network in clear text.`,
      "Turn on the built-in TLS (a self-signed certificate clients pin by fingerprint):",
      `  ${cliHint("config set gateway.tls.enabled true")}`,
      `  ${cliHint("config set gateway.tls.autoGenerate true")}`,
      "or keep gateway.bind loopback and use Tailscale Serve or an SSH tunnel, or put a TLS-terminating proxy in front (gateway.auth.mode trusted-proxy).",
      `To accept clear text anyway (reported by security audit): ${cliHint("config set gateway.tls.dangerouslyAllowPlaintext true")}`,
    ].join("\n"),
    { mode: plan.bindMode },
  );
}

function warnExposure(ctx: ExposureContext, plan: ExposurePlan): void {
  if (plan.authMode === "none")
    ctx.log.warn(
      "gateway auth mode=none explicitly configured; only direct local clients are admitted without credentials",
    );
}

/**
 * `gateway.controlUi.basePath` normalized to `""` (root) or `/segment[/segment]` without a trailing
 * slash. @throws HoldfastError HF_CONFIG_INVALID for anything else (a path the page could not be served under).
 */
function basePathOf(raw: string | undefined): string {
  const p = (raw ?? "").trim().replace(/\/+$/, "");
  if (p === "") return "";
  if (!/^(\/[A-Za-z0-9._~-]+)+$/.test(p) || p.split("/").some((seg) => seg === "." || seg === ".."))
    throw new HoldfastError(
      "HF_CONFIG_INVALID",
      `Invalid config:\n  - gateway.controlUi.basePath: "${raw}" must be a path like /holdfast (letters, digits, . _ ~ -)`,
    );
  return p;
}

/** Parses `HOLDFAST_GATEWAY_PORT` (`N`, `host:N` or `[v6]:N`). @throws HoldfastError HF_CONFIG_INVALID. */
function envPort(v: string | undefined): number | undefined {
  if (v === undefined || v.trim() === "") return undefined;
  const n = Number(/(\d+)$/.exec(v.trim())?.[1]);
  if (!Number.isInteger(n) || n < 1 || n > 65535)
    throw new HoldfastError(
      "HF_CONFIG_INVALID",
      `HOLDFAST_GATEWAY_PORT must be a port 1..65535 (got "${v.slice(0, 40)}")`,
    );
  return n;
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
