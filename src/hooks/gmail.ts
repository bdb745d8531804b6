import { createRemoteJWKSet, jwtVerify, type JWTVerifyGetKey } from "jose";
import { z } from "zod";
import { GMAIL_API_BASE_URL, GOOGLE_JWKS_URL, GOOGLE_TOKEN_URL, type GmailHookConfig } from "../config/index.js";
import { isLoopbackAddress } from "../gateway/index.js";

/** Issuers of Google's OIDC tokens. */
export const GOOGLE_ISSUERS = ["https://accounts.google.com", "accounts.google.com"];
/** Clock skew tolerated on `exp`/`iat`/`nbf` (seconds). */
export const GMAIL_CLOCK_SKEW_S = 30;

/** Longest mail body handed to the agent (characters); `hooks.gmail.maxBodyChars` may change it. */
export const GMAIL_MAX_BODY_CHARS = 8_000;

/** How the Gmail API's access token is obtained (the secrets themselves are read when used). */
export type GmailCredentials =
  { readonly kind: "oauth"; readonly clientId: string; readonly tokenUrl: string } | { readonly kind: "static" };

/** `hooks.gmail` with defaults applied, once enabled. */
export interface GmailSettings {
  readonly audience: string;
  readonly serviceAccountEmail: string;
  readonly jwksUrl: string;
  /** The Gmail API's base URL without a trailing slash. */
  readonly apiBaseUrl: string;
  readonly credentials: GmailCredentials;
  /** The only push subscription accepted, when set. */
  readonly subscription?: string;
  readonly maxBodyChars: number;
  readonly sessionKey?: string;
  readonly agentId?: string;
}

/** Why `raw` may not carry Gmail traffic: not https and not loopback. */
function insecureUrl(raw: string, at: string): string | undefined {
  const u = new URL(raw);
  if (u.protocol === "https:" || isLoopbackAddress(u.hostname)) return undefined;
  return `${at} must be https:// unless its host is loopback (127.0.0.1, ::1, localhost)`;
}

/**
 * The settings of `hooks.gmail`, undefined when off; the reason string when enabled but unusable:
 * no `audience` or `serviceAccountEmail`, neither or both of `oauth` and `accessToken`, or an http://
 * `jwksUrl`, `apiBaseUrl` or `oauth.tokenUrl` to a host that is not loopback.
 */
export function gmailSettings(g: GmailHookConfig | undefined): GmailSettings | string | undefined {
  if (g?.enabled !== true) return undefined;
  if (!g.audience || !g.serviceAccountEmail)
    return "hooks.gmail needs audience and serviceAccountEmail to verify Pub/Sub push tokens";
  if ((g.oauth === undefined) === (g.accessToken === undefined))
    return "hooks.gmail needs exactly one of oauth (clientId, clientSecret, refreshToken) and accessToken to fetch the new mail";
  const urls = {
    "hooks.gmail.jwksUrl": g.jwksUrl ?? GOOGLE_JWKS_URL,
    "hooks.gmail.apiBaseUrl": g.apiBaseUrl ?? GMAIL_API_BASE_URL,
    "hooks.gmail.oauth.tokenUrl": g.oauth?.tokenUrl ?? GOOGLE_TOKEN_URL,
  };
  for (const [at, url] of Object.entries(urls)) {
    const why = insecureUrl(url, at);
    if (why) return why;
  }
  return {
    audience: g.audience,
    serviceAccountEmail: g.serviceAccountEmail.toLowerCase(),
    jwksUrl: urls["hooks.gmail.jwksUrl"],
    apiBaseUrl: urls["hooks.gmail.apiBaseUrl"].replace(/\/+$/, ""),
    credentials: g.oauth
      ? { kind: "oauth", clientId: g.oauth.clientId, tokenUrl: urls["hooks.gmail.oauth.tokenUrl"] }
      : { kind: "static" },
    maxBodyChars: g.maxBodyChars ?? GMAIL_MAX_BODY_CHARS,
    ...(g.subscription ? { subscription: g.subscription } : {}),
    ...(g.sessionKey ? { sessionKey: g.sessionKey } : {}),
    ...(g.agentId ? { agentId: g.agentId } : {}),
  };
}

/** Why a push token was refused, or undefined when it is good. Never the token itself. */
export type PushVerdict = { readonly ok: true } | { readonly ok: false; readonly reason: string };

/**
 * Verifies Pub/Sub push OIDC tokens (`Authorization: Bearer <JWT>`) with `jose`: the signature against
 * the JWKS (fetched and cached by `jose`), `aud` = `audience`, `iss` Google's, `exp` with
 * {@link GMAIL_CLOCK_SKEW_S} of skew, then `email` = `serviceAccountEmail` with `email_verified: true`.
 */
export class PushTokenVerifier {
  private readonly keys: JWTVerifyGetKey;

  constructor(private readonly s: GmailSettings) {
    this.keys = createRemoteJWKSet(new URL(s.jwksUrl));
  }

  async verify(authorization: string | undefined): Promise<PushVerdict> {
    const jwt = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? "")?.[1];
    if (!jwt) return { ok: false, reason: "token_missing" };
    let payload: Record<string, unknown>;
    try {
      ({ payload } = await jwtVerify(jwt, this.keys, {
        audience: this.s.audience,
        issuer: GOOGLE_ISSUERS,
        clockTolerance: GMAIL_CLOCK_SKEW_S,
        requiredClaims: ["exp"],
      }));
    } catch (err) {
      return { ok: false, reason: (err as { code?: string }).code ?? "token_invalid" };
    }
    if (typeof payload.email !== "string" || payload.email.toLowerCase() !== this.s.serviceAccountEmail)
      return { ok: false, reason: "email_mismatch" };
    if (payload.email_verified !== true) return { ok: false, reason: "email_unverified" };
    return { ok: true };
  }
}

/** A Pub/Sub push body (`message.data` is base64 JSON from Gmail's watch). */
export const PushBodySchema = z.object({
  message: z.object({
    data: z.string().max(64 * 1024),
    messageId: z.string().min(1).max(200),
    publishTime: z.string().optional(),
  }),
  subscription: z.string().max(500).optional(),
});

/** Gmail's notification inside a push: the mailbox and the history id to fetch from. */
export const GmailNotificationSchema = z.object({
  emailAddress: z.string().min(1).max(320),
  historyId: z.union([z.string(), z.number()]).transform(String),
});
export type GmailNotification = z.infer<typeof GmailNotificationSchema>;

/** The notification of a push body's `data`, or undefined when it is not one. */
export function decodeNotification(data: string): GmailNotification | undefined {
  try {
    const r = GmailNotificationSchema.safeParse(JSON.parse(Buffer.from(data, "base64").toString("utf8")));
    return r.success ? r.data : undefined;
  } catch {
    return undefined;
  }
}
