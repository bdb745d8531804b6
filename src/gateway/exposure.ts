import { HoldfastError } from "../errors/index.js";
import { isLoopbackOnly, resolveBindHosts, type BindInput, type BindMode } from "./bind.js";
import { proxyRangeWidth, WIDEST_PROXY_PREFIX } from "./net.js";
import { weakSecretMessage, weakSecretReason } from "./secret-strength.js";

export type AuthMode = "token" | "password" | "trusted-proxy" | "none";
export type TailscaleMode = "off" | "serve" | "funnel";

/** A configured credential and where it came from (a key path or env var name; never the value in messages). */
export interface SourcedSecret {
  readonly value: string;
  readonly source: string;
}

/** Everything that decides how the gateway is exposed. */
export interface ExposureInput {
  readonly bind: BindInput;
  /** `gateway.auth.mode` as configured (unset: password when a password is configured, else token). */
  readonly authMode?: AuthMode;
  readonly token?: SourcedSecret;
  readonly password?: SourcedSecret;
  /** `gateway.auth.trustedProxy.userHeader`. */
  readonly trustedProxyUserHeader?: string;
  readonly trustedProxies: readonly string[];
  readonly tailscale: TailscaleMode;
  /** `gateway.auth.allowTailscale` (holdfast default false). */
  readonly allowTailscale?: boolean;
}

/** The checked exposure: where to listen and which auth is in force. */
export interface ExposurePlan {
  readonly bindMode: BindMode;
  readonly hosts: readonly string[];
  readonly loopbackOnly: boolean;
  readonly authMode: AuthMode;
  readonly token?: string;
  readonly password?: string;
  /** Token mode with no configured token: the generated token file is used (loopback only). */
  readonly generateToken: boolean;
  readonly tailscale: TailscaleMode;
  /** Tailscale Serve identity headers are accepted (after `tailscale whois`). */
  readonly allowTailscale: boolean;
}

const SET_SECRET_HINT = "Set gateway.auth.token/password (or HOLDFAST_GATEWAY_TOKEN/HOLDFAST_GATEWAY_PASSWORD).";

/**
 * Checks an exposure and returns the plan, or throws the refusal. Fail closed: every listener or
 * tunnel that is not loopback-only needs a configured, strong token or password (or trusted-proxy
 * identity); auth `none` is only accepted on loopback without Tailscale; Tailscale Serve/Funnel need
 * bind loopback; Funnel needs password auth. Sources: seeds security-architecture.md "Network
 * Security", "Gateway Authentication Modes"; security-reference.md "Gateway Authentication";
 * reference §2.3, §2.5, §3.1.
 * @throws HoldfastError HF_GATEWAY_AUTH_CONFIG (weak, missing or conflicting credentials, Tailscale
 *   conflicts), HF_GATEWAY_BIND_REFUSED (`Refusing to bind gateway to <mode> without auth.`),
 *   HF_CONFIG_INVALID / HF_GATEWAY_LISTEN (unresolvable bind).
 */
export function planExposure(input: ExposureInput): ExposurePlan {
  const authMode = resolveAuthMode(input);
  const hosts = resolveBindHosts(input.bind);
  const loopbackOnly = isLoopbackOnly(hosts);
  // Reachable from the network: credentials are judged by their estimated entropy, not their length.
  const exposed = !loopbackOnly || input.tailscale !== "off";
  const token = authMode === "token" ? checked("token", input.token, exposed) : undefined;
  const password =
    authMode === "password" || authMode === "trusted-proxy" ? checked("password", input.password, exposed) : undefined;
  assertModeCredentials(authMode, input, password);
  assertTailscale(input.tailscale, authMode);
  if (input.tailscale !== "off" && !loopbackOnly)
    throw authError("tailscale serve/funnel requires gateway bind=loopback (127.0.0.1)");
  const hasSecret = authMode === "trusted-proxy" || token !== undefined || password !== undefined;
  if (!loopbackOnly && !hasSecret) {
    throw new HoldfastError(
      "HF_GATEWAY_BIND_REFUSED",
      `Refusing to bind gateway to ${input.bind.mode} without auth.\n${SET_SECRET_HINT}`,
      { mode: input.bind.mode },
    );
  }
  if (input.tailscale !== "off" && !hasSecret) {
    throw new HoldfastError(
      "HF_GATEWAY_BIND_REFUSED",
      `Refusing to expose gateway through tailscale ${input.tailscale} without auth.\n${SET_SECRET_HINT}`,
      { mode: input.tailscale },
    );
  }
  return {
    bindMode: input.bind.mode,
    hosts,
    loopbackOnly,
    authMode,
    ...(token !== undefined ? { token } : {}),
    ...(password !== undefined ? { password } : {}),
    generateToken: authMode === "token" && token === undefined,
    tailscale: input.tailscale,
    allowTailscale: input.allowTailscale === true && input.tailscale === "serve" && authMode !== "trusted-proxy",
  };
}

function resolveAuthMode(input: ExposureInput): AuthMode {
  if (input.authMode) return input.authMode;
  if (input.token && input.password) {
    throw authError(
      "both a gateway token and a gateway password are configured; set gateway.auth.mode to token or password explicitly",
    );
  }
  return input.password ? "password" : "token";
}

function checked(kind: "token" | "password", secret: SourcedSecret | undefined, exposed: boolean): string | undefined {
  if (secret === undefined) return undefined;
  const reason = weakSecretReason(kind, secret.value, exposed);
  if (reason) throw authError(weakSecretMessage(kind, secret.source, reason));
  return secret.value.trim();
}

function assertModeCredentials(mode: AuthMode, input: ExposureInput, password: string | undefined): void {
  if (mode === "password" && password === undefined) {
    throw authError(
      "gateway auth mode is password, but no password was configured (set gateway.auth.password or HOLDFAST_GATEWAY_PASSWORD).",
    );
  }
  if (mode !== "trusted-proxy") return;
  if (!input.trustedProxyUserHeader?.trim())
    throw authError("gateway auth mode is trusted-proxy, but gateway.auth.trustedProxy.userHeader is empty.");
  if (input.trustedProxies.length === 0)
    throw authError(
      "gateway auth mode=trusted-proxy requires gateway.trustedProxies to be configured with at least one proxy IP.",
    );
  const wild = input.trustedProxies.filter((p) => proxyRangeWidth(p) === "wildcard");
  if (wild.length > 0)
    throw authError(
      `gateway auth mode=trusted-proxy with gateway.trustedProxies ${wild.map((w) => JSON.stringify(w)).join(", ")}: whoever sends from such a range can claim any user and becomes an operator. List your proxy's own address (or a subnet no wider than /${WIDEST_PROXY_PREFIX.ipv4} for IPv4, /${WIDEST_PROXY_PREFIX.ipv6} for IPv6).`,
    );
  if (input.token)
    throw authError(
      "gateway auth mode is trusted-proxy, but a shared token is also configured; remove gateway.auth.token / HOLDFAST_GATEWAY_TOKEN (trusted-proxy and token auth are mutually exclusive).",
    );
}

function assertTailscale(tailscale: TailscaleMode, mode: AuthMode): void {
  if (tailscale === "funnel" && mode !== "password") {
    throw authError(
      "tailscale funnel requires gateway auth mode=password (set gateway.auth.password or HOLDFAST_GATEWAY_PASSWORD)",
    );
  }
  if (tailscale === "serve" && mode === "none") {
    throw authError(
      "gateway.auth.mode=none cannot be used with gateway.tailscale.mode=serve; configure token, password, or trusted-proxy auth before exposing the gateway through Tailscale",
    );
  }
}

function authError(message: string): HoldfastError {
  return new HoldfastError("HF_GATEWAY_AUTH_CONFIG", message);
}
