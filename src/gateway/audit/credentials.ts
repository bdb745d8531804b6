import type { AuditContext } from "../../audit/index.js";

/** The gateway's effective auth as the audit sees it (never logged or printed: only lengths and kinds). */
export interface GatewayAuthView {
  readonly mode: "token" | "password" | "trusted-proxy" | "none";
  readonly token: string | undefined;
  readonly password: string | undefined;
}

/**
 * Mode: `gateway.auth.mode`, else password when one is configured, else token (reference §3.1). Values:
 * resolved config secrets, else HOLDFAST_GATEWAY_TOKEN / HOLDFAST_GATEWAY_PASSWORD. A missing token in
 * token mode is fine on loopback: the gateway generates one on first start.
 */
export function gatewayAuth(ctx: AuditContext): GatewayAuthView {
  const snap = ctx.secrets.snapshot;
  const rawToken = ctx.config.gateway?.auth?.token;
  const rawPassword = ctx.config.gateway?.auth?.password;
  const token =
    snap.get("gateway.auth.token") ??
    (typeof rawToken === "string" ? rawToken : undefined) ??
    nonEmpty(ctx.env.HOLDFAST_GATEWAY_TOKEN);
  const password =
    snap.get("gateway.auth.password") ??
    (typeof rawPassword === "string" ? rawPassword : undefined) ??
    nonEmpty(ctx.env.HOLDFAST_GATEWAY_PASSWORD);
  const mode = ctx.config.gateway?.auth?.mode ?? (password !== undefined ? "password" : "token");
  return { mode, token, password };
}

function nonEmpty(v: string | undefined): string | undefined {
  return v === undefined || v === "" ? undefined : v;
}

/** Values that are not credentials at all (reference §3.1 startup assertions, §8.3 sentinels). */
export const PLACEHOLDER_VALUES = new Set([
  "",
  "undefined",
  "null",
  "***",
  "redacted",
  "[redacted]",
  "<redacted>",
  "__openclaw_redacted__",
  "__holdfast_redacted__",
]);

/** Example values copied from documentation (the seeds and the reference). */
export const DOCUMENTED_EXAMPLES = new Set([
  "replace-with-long-random-token",
  "change-me-to-a-long-random-token",
  "change-me-now",
  "change-me-to-a-strong-password",
  "your-token",
  "your-password",
  "your-secure-password",
  "secure-password",
  "strong-password-here",
  "<secure-random-token>",
  "<strong-password>",
  "<32-char-random>",
  "<new-token>",
  "...",
]);
