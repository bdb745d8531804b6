import type { ConnectParams } from "../protocol/frames.js";

/** The shared secret in force. `none` is only ever accepted on loopback binds (checked at start). */
export type SharedSecret =
  | { readonly mode: "token"; readonly token: string }
  | { readonly mode: "password"; readonly password: string }
  | { readonly mode: "none" };

/**
 * The shared secret a `connect` carries. Either `auth.token` or `auth.password` may hold it; the
 * field matching the mode is read first (reference §3.2). Blank counts as missing.
 */
export function providedSecret(params: ConnectParams, mode: "token" | "password"): string | undefined {
  const a = params.auth;
  const v = mode === "token" ? (a?.token ?? a?.password) : (a?.password ?? a?.token);
  return v !== undefined && v !== "" ? v : undefined;
}

/**
 * Reads `Bearer <secret>` or `Basic base64(user:secret)` (the password part) from an Authorization
 * header (seeds "Token Authentication" / "Password Authentication"; reference §3.6).
 */
export function credentialFromHeader(value: string | string[] | undefined): string | undefined {
  const v = Array.isArray(value) ? value[0] : value;
  if (!v) return undefined;
  const m = /^(Bearer|Basic)\s+(.+)$/i.exec(v.trim());
  if (!m) return undefined;
  if ((m[1] as string).toLowerCase() === "bearer") return m[2];
  const decoded = Buffer.from(m[2] as string, "base64").toString("utf8");
  const i = decoded.indexOf(":");
  const secret = i >= 0 ? decoded.slice(i + 1) : decoded;
  return secret !== "" ? secret : undefined;
}
