import type { IncomingHttpHeaders } from "node:http";
import type { ClientAddress } from "../net.js";
import type { AuthReason } from "./failures.js";

/** `gateway.auth.trustedProxy` with defaults applied. */
export interface TrustedProxyAuthConfig {
  /** Header carrying the user the proxy authenticated (e.g. `x-forwarded-user`). */
  readonly userHeader: string;
  /** Headers the proxy must always send (non-blank). */
  readonly requiredHeaders: readonly string[];
  /** When non-empty, the only users admitted (exact, case-sensitive). */
  readonly allowUsers: readonly string[];
  /** Accept a proxy on a loopback address. Default false. */
  readonly allowLoopback: boolean;
}

/** An identity decision: the user, or why not. */
export type IdentityDecision =
  { readonly ok: true; readonly user: string } | { readonly ok: false; readonly reason: AuthReason };

function header(headers: IncomingHttpHeaders | undefined, name: string): string | undefined {
  const v = headers?.[name.toLowerCase()];
  const s = Array.isArray(v) ? v[0] : v;
  return s !== undefined && s.trim() !== "" ? s.trim() : undefined;
}

/**
 * Trusted-proxy identity (reference §3.8), checked in order: the socket peer is a trusted proxy; a
 * loopback proxy only with `allowLoopback`; every required header present; the user header set;
 * the user in `allowUsers` when that list is non-empty.
 */
export function authorizeTrustedProxy(
  client: ClientAddress,
  cfg: TrustedProxyAuthConfig,
  isTrustedProxy: (ip: string) => boolean,
): IdentityDecision {
  if (!isTrustedProxy(client.peerIp)) return { ok: false, reason: "trusted_proxy_untrusted_source" };
  if (client.isLoopbackPeer && !cfg.allowLoopback) return { ok: false, reason: "trusted_proxy_loopback_source" };
  if (cfg.requiredHeaders.some((h) => header(client.headers, h) === undefined))
    return { ok: false, reason: "trusted_proxy_missing_header" };
  const user = header(client.headers, cfg.userHeader);
  if (user === undefined) return { ok: false, reason: "trusted_proxy_user_missing" };
  if (cfg.allowUsers.length > 0 && !cfg.allowUsers.includes(user))
    return { ok: false, reason: "trusted_proxy_user_not_allowed" };
  return { ok: true, user };
}

/** Looks up which tailnet login owns an address (`tailscale whois`); undefined when unknown or failed. */
export type TailscaleWhois = (ip: string) => Promise<string | undefined>;

/** True when a request carries Tailscale Serve's identity header. */
export function hasTailscaleIdentity(client: ClientAddress): boolean {
  return header(client.headers, "tailscale-user-login") !== undefined;
}

/**
 * Tailscale Serve identity (seeds "Tailscale Identity (Serve only)"; reference §2.5): only for a
 * request that Serve proxied (loopback peer, client address from `X-Forwarded-For`), carrying
 * `tailscale-user-login` and the forwarding headers; accepted only when `tailscale whois <client ip>`
 * names the same login (case-insensitive).
 */
export async function verifyTailscaleIdentity(client: ClientAddress, whois: TailscaleWhois): Promise<IdentityDecision> {
  const login = header(client.headers, "tailscale-user-login");
  if (login === undefined) return { ok: false, reason: "tailscale_identity_missing" };
  const proxied = client.isLoopbackPeer && client.viaTrustedProxy === true;
  if (
    !proxied ||
    ["x-forwarded-for", "x-forwarded-proto", "x-forwarded-host"].some((h) => header(client.headers, h) === undefined)
  ) {
    return { ok: false, reason: "tailscale_proxy_headers_missing" };
  }
  const owner = await whois(client.ip).catch(() => undefined);
  if (owner === undefined) return { ok: false, reason: "tailscale_identity_check_failed" };
  if (owner.toLowerCase() !== login.toLowerCase()) return { ok: false, reason: "tailscale_identity_mismatch" };
  return { ok: true, user: owner };
}
