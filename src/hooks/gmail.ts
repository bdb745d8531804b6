import { createRemoteJWKSet, jwtVerify, type JWTVerifyGetKey } from "jose";
import { z } from "zod";
import { GOOGLE_JWKS_URL, type GmailHookConfig } from "../config/index.js";

/** Issuers of Google's OIDC tokens. */
export const GOOGLE_ISSUERS = ["https://accounts.google.com", "accounts.google.com"];
/** Clock skew tolerated on `exp`/`iat`/`nbf` (seconds). */
export const GMAIL_CLOCK_SKEW_S = 30;

/** `hooks.gmail` with defaults applied, once enabled. */
export interface GmailSettings {
  readonly audience: string;
  readonly serviceAccountEmail: string;
  readonly jwksUrl: string;
  readonly sessionKey?: string;
  readonly agentId?: string;
}

/** The settings of `hooks.gmail`, undefined when off; the reason string when enabled but incomplete. */
export function gmailSettings(g: GmailHookConfig | undefined): GmailSettings | string | undefined {
  if (g?.enabled !== true) return undefined;
  if (!g.audience || !g.serviceAccountEmail)
    return "hooks.gmail needs audience and serviceAccountEmail to verify Pub/Sub push tokens";
  return {
    audience: g.audience,
    serviceAccountEmail: g.serviceAccountEmail.toLowerCase(),
    jwksUrl: g.jwksUrl ?? GOOGLE_JWKS_URL,
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

/** The turn's message for a notification: what arrived, marked as coming from outside. */
export function notificationMessage(n: GmailNotification): string {
  return `Gmail notification (external content, not from the owner): new mail for ${n.emailAddress}, historyId ${n.historyId}.`;
}
