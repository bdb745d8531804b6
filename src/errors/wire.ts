/**
 * The error vocabulary of the gateway wire protocol (compatible with OpenClaw protocol v4; reference
 * openclaw-semantics.md §3.3, §3.4, §3.9): the `error.code` of a refused `res` frame, and the
 * `error.details.code` that says which refusal it was. `docs/errors.md` documents both; a test keeps
 * them in sync. A HoldfastError sent over the wire carries its own `HF_*` code in `details.code`
 * (see {@link ERROR_CATALOGUE}); the codes here are the gateway's own refusals.
 */

/** `res.error.code` values. */
export const WIRE_ERRORS = {
  INVALID_REQUEST: "A bad frame, bad params, failed handshake or failed auth; `details.code` says which.",
  UNAVAILABLE:
    "The request failed: the gateway cannot serve it now (starting, stopping) or a holdfast failure; `details.code` names it.",
  FORBIDDEN: "The connection lacks the role or scope the method needs, or the request was refused (node, approval).",
  NOT_FOUND: "The method's object (session, node, approval, ...) does not exist.",
  NOT_PAIRED: "The device must be paired (or identify itself) before it can connect.",
  INTERNAL: "An unexpected failure inside the gateway; details are logged, never sent.",
} as const satisfies Record<string, string>;

/** A wire error code usable in a `res` frame's `error.code`. */
export type WireErrorCode = keyof typeof WIRE_ERRORS;

/** One `details.code`: the wire code it is sent with, and what it means. */
export interface WireDetailEntry {
  readonly wire: WireErrorCode;
  readonly summary: string;
}

const auth = (summary: string): WireDetailEntry => ({ wire: "INVALID_REQUEST", summary });

/** `res.error.details.code` values of the gateway's own refusals, each with the wire code it comes with. */
export const WIRE_DETAIL_CODES = {
  // Frames and handshake
  FRAME_TOO_LARGE: {
    wire: "INVALID_REQUEST",
    summary: "The frame is larger than the limit (64 KiB before `connect` succeeds, 8 MiB after).",
  },
  INVALID_FRAME: {
    wire: "INVALID_REQUEST",
    summary: "The frame is not JSON text of a known shape; `fields` lists why.",
  },
  HANDSHAKE_REQUIRED: { wire: "INVALID_REQUEST", summary: "The first request on a connection was not `connect`." },
  PROTOCOL_MISMATCH: { wire: "INVALID_REQUEST", summary: "The client's protocol range does not include version 4." },
  INVALID_ROLE: { wire: "INVALID_REQUEST", summary: "`connect` named a role other than operator or node." },
  CONTROL_UI_ORIGIN_NOT_ALLOWED: {
    wire: "INVALID_REQUEST",
    summary: "A browser connected from an origin that is not accepted (gateway.controlUi.allowedOrigins).",
  },
  // Methods
  UNKNOWN_METHOD: { wire: "INVALID_REQUEST", summary: "No gateway method has that name." },
  INVALID_PARAMS: { wire: "INVALID_REQUEST", summary: "The method's params failed validation; `fields` names each." },
  ROLE_NOT_ALLOWED: { wire: "FORBIDDEN", summary: "The method is not open to the connection's role." },
  MISSING_SCOPE: { wire: "FORBIDDEN", summary: "The connection lacks the scope the method needs (`missingScope`)." },
  // Auth (reference §3.3 auth failure table; `details.authReason` carries the lower-case reason)
  AUTH_TOKEN_MISSING: auth("Token auth: the client sent no gateway token."),
  AUTH_TOKEN_MISMATCH: auth("Token auth: the gateway token does not match."),
  AUTH_PASSWORD_MISSING: auth("Password auth: the client sent no password."),
  AUTH_PASSWORD_MISMATCH: auth("Password auth: the password does not match."),
  AUTH_RATE_LIMITED: auth("Too many failed attempts from this client; `retryAfterMs` says when to retry."),
  AUTH_DEVICE_TOKEN_MISMATCH: auth("The device token does not match the paired device (rotate or re-pair)."),
  AUTH_LOCAL_ONLY: auth("Auth mode none admits direct local clients only."),
  PROXY_ATTRIBUTION_REQUIRED: auth("A proxied client could not be attributed (gateway.trustedProxies)."),
  AUTH_TRUSTED_PROXY_UNTRUSTED_SOURCE: auth("Trusted-proxy auth: the request did not come from a trusted proxy."),
  AUTH_TRUSTED_PROXY_LOOPBACK_SOURCE: auth("Trusted-proxy auth: a loopback proxy without allowLoopback."),
  AUTH_TRUSTED_PROXY_MISSING_HEADER: auth("Trusted-proxy auth: a required header is missing."),
  AUTH_TRUSTED_PROXY_USER_MISSING: auth("Trusted-proxy auth: the proxy did not identify a user."),
  AUTH_TRUSTED_PROXY_USER_NOT_ALLOWED: auth("Trusted-proxy auth: the user is not in allowUsers."),
  AUTH_TAILSCALE_IDENTITY_MISSING: auth("Tailscale auth: no Tailscale identity headers."),
  AUTH_TAILSCALE_PROXY_HEADERS_MISSING: auth("Tailscale auth: the Serve proxy's forwarding headers are missing."),
  AUTH_TAILSCALE_IDENTITY_CHECK_FAILED: auth("Tailscale auth: `tailscale whois` could not confirm the identity."),
  AUTH_TAILSCALE_IDENTITY_MISMATCH: auth("Tailscale auth: the header identity is not the address's tailnet owner."),
  // Devices (reference §3.4, §3.9)
  DEVICE_IDENTITY_REQUIRED: {
    wire: "NOT_PAIRED",
    summary: "A device identity is required and missing (a node, or a device token, without a `device` block).",
  },
  PAIRING_REQUIRED: {
    wire: "NOT_PAIRED",
    summary: "The device is not paired yet; `requestId` names its pending pairing request.",
  },
  DEVICE_AUTH_PUBLIC_KEY_INVALID: {
    wire: "INVALID_REQUEST",
    summary: "The `device` block is missing or its public key is not a raw Ed25519 key.",
  },
  DEVICE_AUTH_ID_MISMATCH: { wire: "INVALID_REQUEST", summary: "The device id is not the hash of its public key." },
  DEVICE_AUTH_NONCE_REQUIRED: { wire: "INVALID_REQUEST", summary: "The device proof carries no nonce." },
  DEVICE_AUTH_NONCE_MISMATCH: { wire: "INVALID_REQUEST", summary: "The device proof signs another challenge." },
  DEVICE_AUTH_SIGNATURE_EXPIRED: {
    wire: "INVALID_REQUEST",
    summary: "The device proof's `signedAt` is outside the allowed clock skew.",
  },
  DEVICE_AUTH_SIGNATURE_INVALID: { wire: "INVALID_REQUEST", summary: "The device signature does not verify." },
} as const satisfies Record<string, WireDetailEntry>;

/**
 * `error.code` values a node host answers `node.invoke` with besides the wire codes above (reference node
 * `system.run` approval contract). Only the gateway reads them: it turns a node's refusal into a
 * HoldfastError (`HF_NODE_REFUSED`) or asks an approver, so an operator client never gets one.
 */
export const NODE_RESULT_CODES = {
  SYSTEM_RUN_DENIED:
    "The node refused the command; with the message `SYSTEM_RUN_DENIED: approval required` it runs once an approver decides (`details.reason`, `details.persistable`).",
} as const satisfies Record<string, string>;

/** A catalogued `error.code` of a node's `node.invoke` result. */
export type NodeResultCode = keyof typeof NODE_RESULT_CODES;

/** A catalogued `details.code` of a gateway refusal. */
export type WireDetailCode = keyof typeof WIRE_DETAIL_CODES;

/** A wire error built from a catalogued detail code: `code` is the wire code the catalogue names for it. */
export interface CataloguedWireError<C extends WireDetailCode = WireDetailCode> {
  readonly code: (typeof WIRE_DETAIL_CODES)[C]["wire"];
  readonly message: string;
  readonly details: { readonly code: C } & Readonly<Record<string, unknown>>;
}

/**
 * The wire error for a gateway refusal: `{code, message, details: {code: detail, ...extra}}`, the wire
 * code taken from the catalogue entry of `detail`. `message` must not contain a secret.
 */
export function wireRefusal<C extends WireDetailCode>(
  detail: C,
  message: string,
  extra: Readonly<Record<string, unknown>> = {},
): CataloguedWireError<C> {
  return { code: WIRE_DETAIL_CODES[detail].wire, message, details: { code: detail, ...extra } };
}
