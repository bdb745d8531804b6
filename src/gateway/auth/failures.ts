import { wireRefusal, type WireDetailCode } from "../../errors/index.js";
import type { WireError } from "../protocol/frames.js";
import type { HttpAuthFailure, WsAuthFailure } from "./types.js";
import { cliHint } from "../../infra/index.js";

/** Why a connection was refused (reference §3.3 auth failure table; `details.authReason`). */
export type AuthReason =
  | "token_missing"
  | "token_mismatch"
  | "password_missing"
  | "password_mismatch"
  | "rate_limited"
  | "device_token_mismatch"
  | "device_identity_required"
  | "local_only"
  | "proxy_attribution_required"
  | "trusted_proxy_untrusted_source"
  | "trusted_proxy_loopback_source"
  | "trusted_proxy_missing_header"
  | "trusted_proxy_user_missing"
  | "trusted_proxy_user_not_allowed"
  | "tailscale_identity_missing"
  | "tailscale_proxy_headers_missing"
  | "tailscale_identity_check_failed"
  | "tailscale_identity_mismatch";

const HINT = "use this gateway's gateway.auth.token or pair the device";

const MESSAGES: Record<AuthReason, string> = {
  token_missing: `unauthorized: gateway token missing (${HINT})`,
  token_mismatch: `unauthorized: gateway token mismatch (${HINT})`,
  password_missing: `unauthorized: gateway password missing (${HINT})`,
  password_mismatch: `unauthorized: gateway password mismatch (${HINT})`,
  rate_limited: "unauthorized: too many failed authentication attempts (retry later)",
  device_token_mismatch: "unauthorized: device token mismatch (rotate/reissue device token)",
  device_identity_required: "device identity required",
  local_only: "unauthorized: gateway auth mode none admits direct local clients only",
  proxy_attribution_required:
    "unauthorized: proxy client attribution is required (configure gateway.trustedProxies narrowly and make the proxy overwrite or safely rebuild forwarded client headers)",
  trusted_proxy_untrusted_source: "unauthorized: request did not come from a trusted proxy",
  trusted_proxy_loopback_source:
    "unauthorized: loopback trusted-proxy source not allowed (set gateway.auth.trustedProxy.allowLoopback)",
  trusted_proxy_missing_header: "unauthorized: trusted proxy did not send a required header",
  trusted_proxy_user_missing: "unauthorized: trusted proxy did not identify a user",
  trusted_proxy_user_not_allowed: "unauthorized: user is not in gateway.auth.trustedProxy.allowUsers",
  tailscale_identity_missing: "unauthorized: tailscale identity missing",
  tailscale_proxy_headers_missing: "unauthorized: tailscale proxy headers missing",
  tailscale_identity_check_failed: "unauthorized: tailscale identity check failed",
  tailscale_identity_mismatch: "unauthorized: tailscale identity mismatch",
};

const NEXT_STEP: Partial<Record<AuthReason, string>> = {
  token_missing: "update_auth_configuration",
  password_missing: "update_auth_configuration",
  rate_limited: "wait_then_retry",
  device_token_mismatch: "retry_with_shared_secret",
  proxy_attribution_required: "review_auth_configuration",
  local_only: "review_auth_configuration",
};

/** `details.code` of each reason (catalogued in src/errors/wire.ts; reference §3.3). */
const DETAIL_CODES = {
  token_missing: "AUTH_TOKEN_MISSING",
  token_mismatch: "AUTH_TOKEN_MISMATCH",
  password_missing: "AUTH_PASSWORD_MISSING",
  password_mismatch: "AUTH_PASSWORD_MISMATCH",
  rate_limited: "AUTH_RATE_LIMITED",
  device_token_mismatch: "AUTH_DEVICE_TOKEN_MISMATCH",
  device_identity_required: "DEVICE_IDENTITY_REQUIRED",
  local_only: "AUTH_LOCAL_ONLY",
  proxy_attribution_required: "PROXY_ATTRIBUTION_REQUIRED",
  trusted_proxy_untrusted_source: "AUTH_TRUSTED_PROXY_UNTRUSTED_SOURCE",
  trusted_proxy_loopback_source: "AUTH_TRUSTED_PROXY_LOOPBACK_SOURCE",
  trusted_proxy_missing_header: "AUTH_TRUSTED_PROXY_MISSING_HEADER",
  trusted_proxy_user_missing: "AUTH_TRUSTED_PROXY_USER_MISSING",
  trusted_proxy_user_not_allowed: "AUTH_TRUSTED_PROXY_USER_NOT_ALLOWED",
  tailscale_identity_missing: "AUTH_TAILSCALE_IDENTITY_MISSING",
  tailscale_proxy_headers_missing: "AUTH_TAILSCALE_PROXY_HEADERS_MISSING",
  tailscale_identity_check_failed: "AUTH_TAILSCALE_IDENTITY_CHECK_FAILED",
  tailscale_identity_mismatch: "AUTH_TAILSCALE_IDENTITY_MISMATCH",
} as const satisfies Record<AuthReason, WireDetailCode>;

/** `details.code` for a reason: `AUTH_TOKEN_MISMATCH`, `AUTH_RATE_LIMITED`, `DEVICE_IDENTITY_REQUIRED`, ... */
export function authDetailsCode(reason: AuthReason): WireDetailCode {
  return DETAIL_CODES[reason];
}

/**
 * The wire error for a refused `connect`: INVALID_REQUEST, or NOT_PAIRED for a missing device identity
 * (the wire code the catalogue names for the reason's detail code).
 */
export function authWireError(reason: AuthReason, retryAfterMs?: number): WireError {
  return {
    ...wireRefusal(authDetailsCode(reason), MESSAGES[reason], {
      authReason: reason,
      canRetryWithDeviceToken: false,
      recommendedNextStep: NEXT_STEP[reason] ?? "update_auth_credentials",
    }),
    ...(retryAfterMs !== undefined ? { retryable: true, retryAfterMs } : {}),
  };
}

/** A refused WebSocket `connect` (closed with 1008). */
export function wsFailure(reason: AuthReason, retryAfterMs?: number): WsAuthFailure {
  return { ok: false, closeCode: 1008, error: authWireError(reason, retryAfterMs) };
}

/** Body of every HTTP 401 (reference §3.6). */
export const UNAUTHORIZED_BODY = { error: { message: "Unauthorized", type: "unauthorized" } };
/** Body of an HTTP 429 after too many failed attempts (reference §3.6). */
export const RATE_LIMITED_BODY = {
  error: { message: "Too many failed authentication attempts. Please try again later.", type: "rate_limited" },
};

/** HTTP 401 with the challenge matching the auth mode. */
export function http401(mode: string): HttpAuthFailure {
  return {
    ok: false,
    status: 401,
    body: UNAUTHORIZED_BODY,
    headers: { "www-authenticate": mode === "password" ? 'Basic realm="holdfast"' : 'Bearer realm="holdfast"' },
  };
}

/** HTTP 429 with `Retry-After` in whole seconds. */
export function http429(retryAfterMs: number): HttpAuthFailure {
  return {
    ok: false,
    status: 429,
    body: RATE_LIMITED_BODY,
    headers: { "retry-after": String(Math.max(1, Math.ceil(retryAfterMs / 1000))) },
  };
}

/** The refusal for a device that has a pending pairing request (reference §3.9: `NOT_PAIRED`, `PAIRING_REQUIRED`). */
export function pairingRequired(requestId: string, expiresAt: number): WsAuthFailure {
  return {
    ok: false,
    closeCode: 1008,
    error: wireRefusal(
      "PAIRING_REQUIRED",
      `pairing required: this device is not approved yet (on the gateway host run: ${cliHint(`devices approve ${requestId}`)})`,
      { requestId, expiresAt, recommendedNextStep: "wait_for_approval" },
    ),
  };
}
