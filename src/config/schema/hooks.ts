import { z } from "zod";
import { compat, SecretInputSchema } from "./common.js";

/** Largest webhook body holdfast reads (bytes): 256 KiB. Source: reference §10.1. */
export const HOOKS_MAX_BODY_BYTES = 256 * 1024;

/**
 * A key of OpenClaw's hooks that holdfast does not implement and refuses rather than ignores: a
 * mapping or transform the operator wrote would route or rewrite webhooks, and silently dropping it
 * would run them through the default path instead.
 */
function refused(instead: string) {
  return z
    .unknown()
    .refine((v) => v === undefined, {
      message: `not supported by holdfast, so it is refused rather than ignored; remove it (instead: ${instead})`,
    })
    .optional();
}

/** Google's OIDC signing keys, against which Pub/Sub push tokens are verified. */
export const GOOGLE_JWKS_URL = "https://www.googleapis.com/oauth2/v3/certs";

/** Google's OAuth token endpoint (refresh-token grant). */
export const GOOGLE_TOKEN_URL = "https://oauth2.googleapis.com/token";
/** The Gmail API's base URL. */
export const GMAIL_API_BASE_URL = "https://gmail.googleapis.com";

const HttpUrl = z.url({ protocol: /^https?$/ });

/**
 * `hooks.gmail.*`: Gmail notifications by Pub/Sub push to `POST <hooks.path>/gmail`, authenticated by
 * the subscription's OIDC token, and the new mail fetched through the Gmail API. `audience` and
 * `serviceAccountEmail` are required once enabled (checked at start), and so is one way to an access
 * token: `oauth` (a refresh token, exchanged at `tokenUrl`, default {@link GOOGLE_TOKEN_URL}) or a
 * fixed `accessToken` (both SecretRefs allowed; not both). `jwksUrl` defaults to
 * {@link GOOGLE_JWKS_URL}, `apiBaseUrl` to {@link GMAIL_API_BASE_URL}; plain http is refused at start
 * for any of them unless the host is loopback. `subscription`, when set, is the only Pub/Sub
 * subscription whose pushes are accepted; `topic` is a label (push bodies do not carry it). Source:
 * issue "Gmail Pub/Sub push".
 */
export const GmailHookSchema = z.strictObject({
  enabled: z.boolean().optional(),
  audience: z.string().min(1).optional(),
  serviceAccountEmail: z.string().email().optional(),
  jwksUrl: HttpUrl.optional(),
  topic: z.string().min(1).optional(),
  subscription: z
    .string()
    .regex(/^projects\/[^/]+\/subscriptions\/[^/]+$/, "must be projects/<project>/subscriptions/<name>")
    .optional(),
  sessionKey: z.string().min(1).optional(),
  agentId: z.string().min(1).optional(),
  apiBaseUrl: HttpUrl.optional(),
  accessToken: SecretInputSchema.optional(),
  oauth: z
    .strictObject({
      clientId: z.string().min(1),
      clientSecret: SecretInputSchema,
      refreshToken: SecretInputSchema,
      tokenUrl: HttpUrl.optional(),
    })
    .optional(),
  maxBodyChars: z.number().int().min(100).max(100_000).optional(),
});
export type GmailHookConfig = z.infer<typeof GmailHookSchema>;

/**
 * `hooks.*`: inbound webhooks on the gateway port (`POST <path>/wake`, `POST <path>/agent`). Source:
 * reference openclaw-semantics.md §10.1; issue "Inbound webhooks". `token` may be a SecretRef (holdfast
 * resolves it like other secrets; the reference takes plain strings only). `deliver` (holdfast) names
 * the one channel target a `/hooks/agent` reply goes to; callers cannot choose another.
 */
export const HooksSchema = z.strictObject({
  enabled: z.boolean().optional(),
  token: SecretInputSchema.optional(),
  path: z
    .string()
    .regex(/^\/[A-Za-z0-9._~/-]*$/, "hooks.path must start with / and use only A-Z a-z 0-9 . _ ~ - /")
    .optional(),
  allowedAgentIds: z.array(z.string()).optional(),
  defaultSessionKey: z.string().optional(),
  allowRequestSessionKey: z.boolean().optional(),
  allowedSessionKeyPrefixes: z.array(z.string().min(1)).optional(),
  maxBodyBytes: z.number().int().positive().max(HOOKS_MAX_BODY_BYTES).optional(),
  deliver: z
    .strictObject({ channel: z.string().min(1), to: z.string().min(1), accountId: z.string().min(1).optional() })
    .optional(),
  mappings: refused("POST <hooks.path>/agent with a message, and hooks.deliver for where replies go"),
  presets: refused("POST <hooks.path>/agent with a message"),
  transformsDir: refused("POST <hooks.path>/agent with a message"),
  gmail: GmailHookSchema.optional(),
  internal: compat(),
});
export type HooksConfig = z.infer<typeof HooksSchema>;
