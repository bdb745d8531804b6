import net from "node:net";
import os from "node:os";
import { errorMessage } from "../errors/index.js";
import { bindIsLoopback } from "./exposure.js";
import { finding, type Finding } from "./check.js";
import type { AuditContext } from "./types.js";
import { cliHint } from "../infra/index.js";

/** A network interface address as the probe sees it (os.networkInterfaces() shape). */
export interface InterfaceAddress {
  readonly address: string;
  readonly family: "IPv4" | "IPv6" | string;
  readonly internal: boolean;
}

/** Options of {@link deepProbe}. */
export interface DeepProbeOptions {
  /** Per-step timeout (ms); at least 250. Default 5000. */
  readonly timeoutMs?: number;
  /** The host's interface addresses (default: os.networkInterfaces()). */
  readonly interfaces?: () => readonly InterfaceAddress[];
  /** Credential for the authenticated probe (token or password), when known. */
  readonly credential?: { readonly token?: string; readonly password?: string };
}

/** The `deep` part of the JSON report (reference §9.1). */
export interface DeepProbeResult {
  readonly gateway: {
    readonly attempted: boolean;
    readonly url: string | null;
    readonly ok: boolean;
    readonly error: string | null;
  };
  readonly findings: readonly Finding[];
}

/**
 * `security audit --deep`: a live probe of the running gateway of this state dir (address from its PID
 * file): is it reachable on the host's non-loopback addresses, does it accept a WebSocket or HTTP API
 * client without credentials, does /health reveal more than `{ok:true}`, and does an authenticated
 * connect work. Only this host's own addresses are contacted. Source: the secrets issue; reference §9.3.
 */
export async function deepProbe(ctx: AuditContext, opts: DeepProbeOptions = {}): Promise<DeepProbeResult> {
  const timeoutMs = Math.max(250, opts.timeoutMs ?? 5_000);
  const { readPidInfo } = await import("../client/index.js");
  const info = await readPidInfo(ctx.paths.pidFile);
  if (!info || info.port === null) {
    const f = finding({
      checkId: "gateway.probe_failed",
      severity: "warn",
      title: "Gateway not running: live probe skipped",
      detail: `No live gateway PID in ${ctx.paths.pidFile}.`,
      remediation: `Start the gateway (${cliHint("gateway")}) and run ${cliHint("security audit --deep")} again.`,
    });
    return { gateway: { attempted: false, url: null, ok: false, error: "gateway not running" }, findings: [f] };
  }
  const scheme = info.tls ? "https" : "http";
  const base = `${scheme}://127.0.0.1:${info.port}`;
  const findings: Finding[] = [];
  findings.push(...(await probeHttp(base, timeoutMs)));
  const unauth = await probeWs(base.replace(/^http/, "ws"), {}, timeoutMs, info.tls === true);
  if (unauth.ok)
    findings.push(
      finding({
        checkId: "gateway.probe.ws_unauthenticated",
        severity: "critical",
        title: "Gateway accepts WebSocket clients without credentials",
        detail: `A connect without token or password to ${base} succeeded.`,
        remediation: 'Remove gateway.auth.mode "none"; use token or password auth.',
      }),
    );
  const authed =
    opts.credential && (opts.credential.token || opts.credential.password)
      ? await probeWs(base.replace(/^http/, "ws"), opts.credential, timeoutMs, info.tls === true)
      : undefined;
  if (authed && !authed.ok)
    findings.push(
      finding({
        checkId: "gateway.probe_failed",
        severity: "warn",
        title: "Authenticated probe failed",
        detail: authed.error ?? "connect failed",
        remediation:
          "Check that the CLI's credential (config, HOLDFAST_GATEWAY_TOKEN or the generated token) matches the running gateway.",
      }),
    );
  const interfaces = opts.interfaces ?? systemInterfaces;
  findings.push(...(await probeInterfaces(ctx, { port: info.port, interfaces, timeoutMs, noAuth: unauth.ok })));
  const result = authed ?? unauth;
  return {
    gateway: {
      attempted: true,
      url: base.replace(/^http/, "ws"),
      ok: authed?.ok ?? false,
      error: result.ok ? null : (result.error ?? null),
    },
    findings,
  };
}

async function probeHttp(base: string, timeoutMs: number): Promise<Finding[]> {
  const out: Finding[] = [];
  try {
    const health = await fetch(`${base}/health`, { signal: AbortSignal.timeout(timeoutMs) });
    const text = await health.text();
    const body = safeJson(text);
    const extra = body && typeof body === "object" ? Object.keys(body).filter((k) => k !== "ok") : ["<non-JSON body>"];
    if (extra.length > 0)
      out.push(
        finding({
          checkId: "gateway.probe.health_leaks_details",
          severity: "warn",
          title: "/health answers with more than a status",
          detail: `GET /health without auth returned fields: ${extra.join(", ")}.`,
          remediation: 'Keep /health to {"ok":true}; serve details only on authenticated routes.',
        }),
      );
    const status = await fetch(`${base}/api/status`, { signal: AbortSignal.timeout(timeoutMs) });
    await status.body?.cancel();
    if (status.status === 200)
      out.push(
        finding({
          checkId: "gateway.probe.http_unauthenticated",
          severity: "critical",
          title: "Gateway HTTP API answers without credentials",
          detail: `GET /api/status without auth returned 200.`,
          remediation: "Use token or password auth.",
        }),
      );
  } catch (err) {
    out.push(
      finding({
        checkId: "gateway.probe_failed",
        severity: "warn",
        title: "Gateway did not answer the HTTP probe",
        detail: `${base}: ${errorMessage(err)}`,
        remediation: `Check that the gateway is healthy (${cliHint("logs")}).`,
      }),
    );
  }
  return out;
}

/** One connect attempt with the protocol client; `error` is the gateway's refusal or the network error. */
async function probeWs(
  url: string,
  cred: { token?: string; password?: string },
  timeoutMs: number,
  tls: boolean,
): Promise<{ ok: boolean; error?: string }> {
  const { GatewayClient } = await import("../client/index.js");
  try {
    const client = await GatewayClient.connect({
      url,
      ...cred,
      timeoutMs,
      scopes: ["operator.read"],
      clientId: "audit-probe",
      ...(tls ? { wsOptions: { rejectUnauthorized: false } } : {}),
    });
    client.close();
    return { ok: true };
  } catch (err) {
    return { ok: false, error: errorMessage(err) };
  }
}

/** What {@link probeInterfaces} probes: the gateway port on each non-internal interface address. */
interface InterfaceProbe {
  readonly port: number;
  readonly interfaces: () => readonly InterfaceAddress[];
  readonly timeoutMs: number;
  /** The gateway accepted a client without credentials (makes reachability critical). */
  readonly noAuth: boolean;
}

async function probeInterfaces(
  ctx: AuditContext,
  { port, interfaces, timeoutMs, noAuth }: InterfaceProbe,
): Promise<Finding[]> {
  const reachable: string[] = [];
  for (const a of interfaces().filter((i) => !i.internal)) {
    if (await canConnect(a.address, port, timeoutMs))
      reachable.push(a.family === "IPv6" ? `[${a.address}]:${port}` : `${a.address}:${port}`);
  }
  if (reachable.length === 0) return [];
  const expected = !bindIsLoopback(ctx.config);
  const severity = noAuth || !expected ? "critical" : "warn";
  return [
    finding({
      checkId: "gateway.probe.reachable_non_loopback",
      severity,
      title: "Gateway is reachable on network addresses",
      detail: `The gateway answered on ${reachable.join(", ")}${expected ? "" : " although gateway.bind is loopback"}${noAuth ? " and accepts clients without credentials" : ""}.`,
      remediation:
        "Bind to loopback and use Tailscale Serve or an SSH tunnel for remote access; otherwise firewall the port.",
    }),
  ];
}

function canConnect(host: string, port: number, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once("connect", () => done(true));
    socket.once("error", () => done(false));
  });
}

function systemInterfaces(): InterfaceAddress[] {
  return Object.values(os.networkInterfaces()).flatMap((list) =>
    (list ?? []).map((i) => ({ address: i.address, family: i.family, internal: i.internal })),
  );
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
