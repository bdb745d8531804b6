import type { IncomingHttpHeaders } from "node:http";
import net from "node:net";
import { HoldfastError } from "../errors/index.js";

/** Where a request or connection comes from, as auth decisions need it. */
export interface ClientAddress {
  /** The socket peer address (normalized: no `::ffff:` prefix). */
  readonly peerIp: string;
  /** The client IP after trusted-proxy handling (equals peerIp when no trusted proxy is involved). */
  readonly ip: string;
  /** Peer is a loopback address. */
  readonly isLoopbackPeer: boolean;
  /** Peer is loopback and no forwarding header is present: the only case that gets local trust. */
  readonly isLocal: boolean;
  /** True when forwarding headers came from a peer that is not a trusted proxy (reference §2.4). */
  readonly unattributedProxy: boolean;
  /** True when `ip` was taken from `X-Forwarded-For` set by a trusted proxy. */
  readonly viaTrustedProxy?: boolean;
  /** The browser `Origin` header, when present. */
  readonly origin?: string;
  readonly host?: string;
  /** The request headers (trusted-proxy user headers, Tailscale identity headers). */
  readonly headers?: IncomingHttpHeaders;
}

const FORWARD_HEADERS = ["forwarded", "x-forwarded-for", "x-real-ip", "x-forwarded-host", "x-forwarded-proto"];

/** Strips the IPv4-mapped IPv6 prefix. */
export function normalizeIp(ip: string | undefined): string {
  if (!ip) return "";
  const lower = ip.toLowerCase();
  return lower.startsWith("::ffff:") && net.isIPv4(lower.slice(7)) ? lower.slice(7) : lower;
}

/** `localhost`, 127.0.0.0/8, ::1 (and their mapped forms) are loopback; 0.0.0.0 and :: are not. */
export function isLoopbackAddress(host: string | undefined): boolean {
  if (!host) return false;
  const h = normalizeIp(host.replace(/^\[|\]$/g, "")).toLowerCase();
  if (h === "localhost" || h === "::1") return true;
  return net.isIPv4(h) && h.startsWith("127.");
}

/**
 * True when the `Host` a request was sent to names this machine's loopback (`localhost`, 127.0.0.0/8,
 * `[::1]`), or is absent (browsers always send one). A DNS-rebinding page reaching 127.0.0.1 under its
 * own name fails this.
 */
export function isLoopbackHostHeader(host: string | undefined): boolean {
  if (host === undefined) return true;
  const m = /^\[([^\]]+)\](?::\d+)?$/.exec(host) ?? /^([^:]+)(?::\d+)?$/.exec(host);
  return m !== null && isLoopbackAddress(m[1]);
}

/** True when any forwarding header is present. */
export function hasForwardingHeaders(headers: IncomingHttpHeaders): boolean {
  return FORWARD_HEADERS.some((h) => headers[h] !== undefined);
}

/** How forwarded client addresses are trusted. Source: reference §2.4; seeds "Reverse Proxy Configuration". */
export interface ProxyTrust {
  /** True when `ip` (normalized) is a configured trusted proxy. */
  readonly isTrustedProxy: (ip: string) => boolean;
  /** Use `X-Real-IP` when `X-Forwarded-For` yields no client (default false). */
  readonly allowRealIpFallback?: boolean;
}

/** No proxy is trusted: forwarding headers are never believed. */
export const NO_PROXY_TRUST: ProxyTrust = { isTrustedProxy: () => false };

/**
 * The client address of a direct connection. Forwarding headers are never trusted here (equivalent to
 * {@link resolveClientAddress} with {@link NO_PROXY_TRUST}).
 */
export function directClientAddress(remoteAddress: string | undefined, headers: IncomingHttpHeaders): ClientAddress {
  return resolveClientAddress(remoteAddress, headers, NO_PROXY_TRUST);
}

/**
 * Resolves who a request comes from (reference §2.4). A peer that is not a trusted proxy is the
 * client, whatever headers it sends; a loopback peer with forwarding headers loses local trust and is
 * marked `unattributedProxy` (routes refuse it before any credential check). For a trusted proxy the
 * client is the rightmost `X-Forwarded-For` hop that is neither loopback nor a trusted proxy; when no
 * such hop exists (and `X-Real-IP` fallback is off or empty) the request is unattributed.
 */
export function resolveClientAddress(
  remoteAddress: string | undefined,
  headers: IncomingHttpHeaders,
  trust: ProxyTrust,
): ClientAddress {
  const peerIp = normalizeIp(remoteAddress);
  const loop = isLoopbackAddress(peerIp);
  const forwarded = hasForwardingHeaders(headers);
  const base = {
    peerIp,
    isLoopbackPeer: loop,
    headers,
    ...(typeof headers.origin === "string" ? { origin: headers.origin } : {}),
    ...(typeof headers.host === "string" ? { host: headers.host } : {}),
  };
  if (!forwarded) return { ...base, ip: peerIp, isLocal: loop, unattributedProxy: false };
  if (!trust.isTrustedProxy(peerIp)) return { ...base, ip: peerIp, isLocal: false, unattributedProxy: loop };
  const client = forwardedClient(headers, trust);
  if (!client) return { ...base, ip: peerIp, isLocal: false, unattributedProxy: true };
  return { ...base, ip: client, isLocal: false, unattributedProxy: false, viaTrustedProxy: true };
}

function forwardedClient(headers: IncomingHttpHeaders, trust: ProxyTrust): string | undefined {
  const xff = headers["x-forwarded-for"];
  const hops = (Array.isArray(xff) ? xff.join(",") : (xff ?? ""))
    .split(",")
    .map((h) => h.trim())
    .filter((h) => h !== "");
  for (let i = hops.length - 1; i >= 0; i--) {
    const hop = stripPort(hops[i] as string);
    if (!hop) return undefined;
    if (isLoopbackAddress(hop) || trust.isTrustedProxy(hop)) continue;
    return hop;
  }
  const real = headers["x-real-ip"];
  if (trust.allowRealIpFallback && typeof real === "string") {
    const ip = stripPort(real.trim());
    if (ip && !isLoopbackAddress(ip)) return ip;
  }
  return undefined;
}

/** `1.2.3.4:5678` → `1.2.3.4`; `[::1]:80` → `::1`; bare IPs unchanged; anything else → undefined. */
function stripPort(hop: string): string | undefined {
  let h = hop;
  const bracket = /^\[([^\]]+)\](?::\d+)?$/.exec(h);
  if (bracket) h = bracket[1] as string;
  else if (/^[\d.]+:\d+$/.test(h)) h = h.slice(0, h.lastIndexOf(":"));
  const ip = normalizeIp(h);
  return net.isIP(ip) ? ip : undefined;
}

/**
 * Builds a matcher for `gateway.trustedProxies` (IPs or CIDRs, v4 or v6) on node's `net.BlockList`.
 * @throws HoldfastError HF_CONFIG_INVALID naming the bad entry (config validation reports it with its
 *   path first, through {@link invalidProxyEntry}).
 */
export function proxyMatcher(entries: readonly string[]): (ip: string) => boolean {
  if (entries.length === 0) return () => false;
  const list = new net.BlockList();
  for (const entry of entries) {
    const e = parseEntry(entry);
    if (!e.ok) throw new HoldfastError("HF_CONFIG_INVALID", `gateway.trustedProxies: ${e.reason}`);
    if (e.bits === undefined) list.addAddress(e.ip, e.family);
    else list.addSubnet(e.ip, e.bits, e.family);
  }
  return (ip) => {
    const n = normalizeIp(ip);
    const family = net.isIPv4(n) ? "ipv4" : net.isIPv6(n) ? "ipv6" : undefined;
    return family !== undefined && list.check(n, family);
  };
}

/**
 * Widest `gateway.trustedProxies` range accepted with trusted-proxy auth (prefix bits): a /8 of IPv4
 * (16 million addresses) or a /32 of IPv6. A wider range (`0.0.0.0/0`, `::/0`) lets nearly anyone
 * assert any user identity.
 */
export const WIDEST_PROXY_PREFIX = { ipv4: 8, ipv6: 32 } as const;
/** Ranges wider than this (prefix bits) are reported by the audit as broad. */
export const BROAD_PROXY_PREFIX = { ipv4: 24, ipv6: 64 } as const;

/**
 * How wide a trustedProxies entry is: "wildcard" (wider than {@link WIDEST_PROXY_PREFIX}), "broad"
 * (wider than {@link BROAD_PROXY_PREFIX}), or "narrow" (a single address or a small subnet; also for
 * entries that do not parse, which the config check refuses anyway).
 */
export function proxyRangeWidth(entry: string): "wildcard" | "broad" | "narrow" {
  const e = parseEntry(entry);
  if (!e.ok || e.bits === undefined) return "narrow";
  if (e.bits < WIDEST_PROXY_PREFIX[e.family]) return "wildcard";
  return e.bits < BROAD_PROXY_PREFIX[e.family] ? "broad" : "narrow";
}

/** Why a trustedProxies entry is invalid, or undefined when it is a valid IP or CIDR. */
export function invalidProxyEntry(entry: string): string | undefined {
  const e = parseEntry(entry);
  return e.ok ? undefined : e.reason;
}

type ProxyEntry =
  | { readonly ok: true; readonly ip: string; readonly family: "ipv4" | "ipv6"; readonly bits?: number }
  | { readonly ok: false; readonly reason: string };

/** An IP (`bits` undefined) or CIDR entry, or why it is neither. */
function parseEntry(entry: string): ProxyEntry {
  const [addr = "", prefix, extra] = entry.trim().split("/");
  const ip = normalizeIp(addr);
  const family = net.isIPv4(ip) ? "ipv4" : net.isIPv6(ip) ? "ipv6" : undefined;
  if (!family || extra !== undefined) return { ok: false, reason: `"${entry}" is not an IP address or CIDR` };
  if (prefix === undefined) return { ok: true, ip, family };
  const bits = Number(prefix);
  if (!/^\d+$/.test(prefix) || bits > (family === "ipv4" ? 32 : 128))
    return { ok: false, reason: `"${entry}" has an invalid prefix length` };
  return { ok: true, ip, family, bits };
}
