import net from "node:net";
import { wireRefusal } from "../errors/index.js";
import { allow, deny, type Decision } from "../infra/index.js";
import type { ClientAddress } from "./net.js";
import { isLoopbackAddress, normalizeIp } from "./net.js";
import type { WireError } from "./protocol/frames.js";

/** `gateway.controlUi` origin settings. */
export interface OriginPolicy {
  /** Exact origins (`scheme://host[:port]`, case-insensitive) or `"*"`. */
  readonly allowedOrigins: readonly string[];
  /** Accept any origin whose host equals the request's `Host` header (DNS-rebinding risk; default false). */
  readonly hostHeaderFallback: boolean;
}

/** Why a browser origin was accepted. */
export type OriginAllowReason = "no_origin" | "allowed_origin" | "host_header_fallback" | "own_origin";
/** Why a browser origin was refused. */
export type OriginDenyReason = "origin_invalid" | "origin_not_allowed";
/** Reason codes of origin decisions. */
export type OriginReason = OriginAllowReason | OriginDenyReason;

/** `scheme://host[:port]` lowercased, or undefined for `null`, credentials, paths or garbage. */
export function normalizeOrigin(origin: string): string | undefined {
  if (origin.trim().toLowerCase() === "null") return undefined;
  try {
    const u = new URL(origin);
    if (u.username || u.password || (u.pathname !== "/" && u.pathname !== "") || u.search || u.hash) return undefined;
    if (u.protocol !== "http:" && u.protocol !== "https:") return undefined;
    return `${u.protocol}//${u.host}`.toLowerCase();
  } catch {
    return undefined;
  }
}

/** IPv4/IPv6 private, CGNAT (tailnet) or loopback literals, `*.local` and `*.ts.net` names. */
function isPrivateHostname(hostname: string, allowLoopback: boolean): boolean {
  const h = normalizeIp(hostname.replace(/^\[|\]$/g, ""));
  if (isLoopbackAddress(h)) return allowLoopback;
  if (h.endsWith(".local") || h.endsWith(".ts.net")) return true;
  if (net.isIPv4(h)) {
    const [a, b] = h.split(".").map(Number) as [number, number];
    return (
      a === 10 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168) || (a === 100 && b >= 64 && b <= 127)
    );
  }
  return net.isIPv6(h) && /^(fc|fd|fe[89ab])/.test(h);
}

/**
 * Browser origin check for WebSocket clients (the CVE-2026-25253 class: a page elsewhere must not
 * drive the gateway with a user's browser). Accepted, first match: no `Origin` (not a browser); an
 * exact `gateway.controlUi.allowedOrigins` entry or `*`; the host-header fallback when enabled; the
 * gateway's own origin — origin `host:port` equal to the `Host` the browser connected to, when that
 * host is a private, tailnet, `.local` or `.ts.net` name (loopback names only for direct local
 * clients). Public hostnames must be listed explicitly, so a DNS-rebinding page (its own public
 * name) is refused. Stricter than reference §2.7: another loopback port is a different origin.
 */
export function checkOrigin(
  client: ClientAddress,
  policy: OriginPolicy,
): Decision<OriginAllowReason, OriginDenyReason> {
  if (client.origin === undefined) return allow("no_origin");
  const origin = normalizeOrigin(client.origin);
  if (!origin) return deny("origin_invalid");
  if (policy.allowedOrigins.some((o) => o === "*" || normalizeOrigin(o) === origin)) return allow("allowed_origin");
  const originHost = origin.slice(origin.indexOf("//") + 2);
  const originHostname = new URL(origin).hostname;
  const sameHost = client.host !== undefined && client.host.toLowerCase() === originHost;
  if (sameHost && policy.hostHeaderFallback) return allow("host_header_fallback");
  if (sameHost && isPrivateHostname(originHostname, client.isLocal)) return allow("own_origin");
  return deny("origin_not_allowed");
}

/** The refusal sent to a browser whose origin is not accepted (close 1008). */
export const ORIGIN_NOT_ALLOWED: WireError = wireRefusal(
  "CONTROL_UI_ORIGIN_NOT_ALLOWED",
  "origin not allowed (open the WebChat page from the gateway host or allow it in gateway.controlUi.allowedOrigins)",
);
