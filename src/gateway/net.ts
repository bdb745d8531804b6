import type { IncomingHttpHeaders } from "node:http";
import net from "node:net";

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
  /** The browser `Origin` header, when present. */
  readonly origin?: string;
  readonly host?: string;
}

const FORWARD_HEADERS = ["forwarded", "x-forwarded-for", "x-real-ip", "x-forwarded-host", "x-forwarded-proto"];

/** Strips the IPv4-mapped IPv6 prefix. */
export function normalizeIp(ip: string | undefined): string {
  if (!ip) return "";
  return ip.startsWith("::ffff:") && net.isIPv4(ip.slice(7)) ? ip.slice(7) : ip;
}

/** `localhost`, 127.0.0.0/8, ::1 (and their mapped forms) are loopback; 0.0.0.0 and :: are not. */
export function isLoopbackAddress(host: string | undefined): boolean {
  if (!host) return false;
  const h = normalizeIp(host.replace(/^\[|\]$/g, "")).toLowerCase();
  if (h === "localhost" || h === "::1") return true;
  return net.isIPv4(h) && h.startsWith("127.");
}

/** True when any forwarding header is present. */
export function hasForwardingHeaders(headers: IncomingHttpHeaders): boolean {
  return FORWARD_HEADERS.some((h) => headers[h] !== undefined);
}

/**
 * The client address of a direct connection. Forwarding headers are never trusted here; the
 * trusted-proxy resolver (network exposure) replaces this for configured proxies.
 */
export function directClientAddress(remoteAddress: string | undefined, headers: IncomingHttpHeaders): ClientAddress {
  const peerIp = normalizeIp(remoteAddress);
  const loop = isLoopbackAddress(peerIp);
  const forwarded = hasForwardingHeaders(headers);
  const origin = typeof headers.origin === "string" ? headers.origin : undefined;
  const host = typeof headers.host === "string" ? headers.host : undefined;
  return { peerIp, ip: peerIp, isLoopbackPeer: loop, isLocal: loop && !forwarded, unattributedProxy: loop && forwarded, ...(origin ? { origin } : {}), ...(host ? { host } : {}) };
}
