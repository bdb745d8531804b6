import { z } from "zod";
import { HoldfastError } from "../errors/index.js";
import type { GmailCredentials } from "./gmail.js";

/** How long one Gmail API or token request may take (ms). */
export const GMAIL_REQUEST_TIMEOUT_MS = 15_000;
/** An access token is refreshed this long before Google says it expires (ms). */
const TOKEN_EARLY_MS = 60_000;

/** One page of `users.history.list` (messageAdded, INBOX): the ids of the added messages. */
export type GmailHistoryPage =
  | {
      readonly expired: false;
      readonly messageIds: readonly string[];
      /** The mailbox's current history id. */
      readonly historyId: string;
      readonly nextPageToken?: string;
    }
  /** The start history id is too old (Gmail answers 404): a full sync would be needed. */
  | { readonly expired: true };

/** A part of a message's MIME tree as `users.messages.get?format=full` returns it. */
export interface GmailPart {
  readonly mimeType?: string | undefined;
  readonly filename?: string | undefined;
  readonly headers?: readonly { readonly name: string; readonly value: string }[] | undefined;
  readonly body?: { readonly size?: number | undefined; readonly data?: string | undefined } | undefined;
  readonly parts?: readonly GmailPart[] | undefined;
}

/** A message as `users.messages.get?format=full` returns it (the fields holdfast reads). */
export interface GmailMessage {
  readonly id: string;
  readonly threadId?: string | undefined;
  readonly labelIds?: readonly string[] | undefined;
  readonly snippet?: string | undefined;
  readonly payload?: GmailPart | undefined;
}

/** The Gmail API as the Gmail sync uses it (an HTTP client; a protocol-faithful fake in tests). */
export interface GmailApi {
  /** `GET /gmail/v1/users/{user}/history?startHistoryId=…&historyTypes=messageAdded&labelId=INBOX`. */
  listHistory(user: string, startHistoryId: string, pageToken?: string): Promise<GmailHistoryPage>;
  /** `GET /gmail/v1/users/{user}/messages/{id}?format=full`; undefined when the message is gone (404). */
  getMessage(user: string, id: string): Promise<GmailMessage | undefined>;
}

const PartSchema: z.ZodType<GmailPart> = z.lazy(() =>
  z.object({
    mimeType: z.string().optional(),
    filename: z.string().optional(),
    headers: z.array(z.object({ name: z.string(), value: z.string() })).optional(),
    body: z.object({ size: z.number().optional(), data: z.string().optional() }).optional(),
    parts: z.array(PartSchema).optional(),
  }),
);
const MessageSchema = z.object({
  id: z.string().min(1),
  threadId: z.string().optional(),
  labelIds: z.array(z.string()).optional(),
  snippet: z.string().optional(),
  payload: PartSchema.optional(),
});
const HistorySchema = z.object({
  history: z
    .array(z.object({ messagesAdded: z.array(z.object({ message: z.object({ id: z.string().min(1) }) })).optional() }))
    .optional(),
  historyId: z.union([z.string(), z.number()]).transform(String),
  nextPageToken: z.string().optional(),
});
const TokenSchema = z.object({ access_token: z.string().min(1), expires_in: z.number().positive().optional() });

/** Reads the Gmail credentials' secrets (`hooks.gmail.accessToken`, `hooks.gmail.oauth.*`). */
export type SecretLookup = (path: string) => string | undefined;

function apiError(what: string, status?: number, cause?: unknown): HoldfastError {
  const why = status === undefined ? "could not be reached" : `answered HTTP ${status}`;
  return new HoldfastError(
    "HF_GMAIL_API",
    `${what} ${why}`,
    status === undefined ? {} : { status },
    cause === undefined ? undefined : { cause },
  );
}

async function request(what: string, url: string, init: RequestInit): Promise<Response> {
  try {
    return await fetch(url, { ...init, redirect: "error", signal: AbortSignal.timeout(GMAIL_REQUEST_TIMEOUT_MS) });
  } catch (err) {
    throw apiError(what, undefined, err);
  }
}

/**
 * The Gmail API's access token: the configured `hooks.gmail.accessToken`, or one obtained from
 * `oauth.tokenUrl` with the refresh-token grant (`grant_type=refresh_token`, `client_id`,
 * `client_secret`, `refresh_token`, form-encoded) and kept until a minute before `expires_in`. The
 * secrets are read at each exchange (`secrets reload` applies) and never logged.
 */
export class GmailTokenSource {
  private cached: { token: string; until: number } | undefined;

  constructor(
    private readonly creds: GmailCredentials,
    private readonly secret: SecretLookup,
    private readonly now: () => number,
  ) {}

  /**
   * The current access token.
   * @throws HoldfastError HF_GMAIL_API (no secret, token endpoint unreachable or refusing).
   */
  async token(): Promise<string> {
    if (this.creds.kind === "static") {
      const t = this.secret("hooks.gmail.accessToken");
      if (!t) throw new HoldfastError("HF_GMAIL_API", "hooks.gmail.accessToken is not set");
      return t;
    }
    if (this.cached && this.cached.until > this.now()) return this.cached.token;
    const clientSecret = this.secret("hooks.gmail.oauth.clientSecret");
    const refreshToken = this.secret("hooks.gmail.oauth.refreshToken");
    if (!clientSecret || !refreshToken)
      throw new HoldfastError("HF_GMAIL_API", "hooks.gmail.oauth needs clientSecret and refreshToken");
    const body = new URLSearchParams({
      grant_type: "refresh_token",
      client_id: this.creds.clientId,
      client_secret: clientSecret,
      refresh_token: refreshToken,
    });
    const res = await request("the OAuth token endpoint", this.creds.tokenUrl, { method: "POST", body });
    if (!res.ok) throw apiError("the OAuth token endpoint", res.status);
    const parsed = TokenSchema.safeParse(await res.json().catch(() => undefined));
    if (!parsed.success) throw new HoldfastError("HF_GMAIL_API", "the OAuth token endpoint answered no access_token");
    const ttl = (parsed.data.expires_in ?? 3600) * 1000;
    this.cached = { token: parsed.data.access_token, until: this.now() + Math.max(0, ttl - TOKEN_EARLY_MS) };
    return parsed.data.access_token;
  }

  /** Forgets a cached token (the API refused it). */
  invalidate(): void {
    this.cached = undefined;
  }
}

/**
 * The Gmail API over HTTPS (plain HTTP only to a loopback base URL, checked at start). A 401 drops the
 * cached token and retries once with a fresh one.
 */
export class HttpGmailApi implements GmailApi {
  constructor(
    private readonly baseUrl: string,
    private readonly tokens: GmailTokenSource,
  ) {}

  async listHistory(user: string, startHistoryId: string, pageToken?: string): Promise<GmailHistoryPage> {
    const q = new URLSearchParams({ startHistoryId, historyTypes: "messageAdded", labelId: "INBOX" });
    if (pageToken) q.set("pageToken", pageToken);
    const res = await this.get("users.history.list", `/gmail/v1/users/${encodeURIComponent(user)}/history?${q}`);
    if (res.status === 404) return { expired: true };
    if (!res.ok) throw apiError("users.history.list", res.status);
    const parsed = HistorySchema.safeParse(await res.json().catch(() => undefined));
    if (!parsed.success) throw new HoldfastError("HF_GMAIL_API", "users.history.list answered an unexpected shape");
    const ids = (parsed.data.history ?? []).flatMap((h) => (h.messagesAdded ?? []).map((a) => a.message.id));
    return {
      expired: false,
      messageIds: [...new Set(ids)],
      historyId: parsed.data.historyId,
      ...(parsed.data.nextPageToken ? { nextPageToken: parsed.data.nextPageToken } : {}),
    };
  }

  async getMessage(user: string, id: string): Promise<GmailMessage | undefined> {
    const path = `/gmail/v1/users/${encodeURIComponent(user)}/messages/${encodeURIComponent(id)}?format=full`;
    const res = await this.get("users.messages.get", path);
    if (res.status === 404) return undefined;
    if (!res.ok) throw apiError("users.messages.get", res.status);
    const parsed = MessageSchema.safeParse(await res.json().catch(() => undefined));
    if (!parsed.success) throw new HoldfastError("HF_GMAIL_API", "users.messages.get answered an unexpected shape");
    return parsed.data;
  }

  private async get(what: string, path: string): Promise<Response> {
    for (let attempt = 0; ; attempt++) {
      const token = await this.tokens.token();
      const res = await request(what, `${this.baseUrl}${path}`, { headers: { authorization: `Bearer ${token}` } });
      if (res.status !== 401 || attempt > 0) return res;
      await res.body?.cancel().catch(() => undefined);
      this.tokens.invalidate();
    }
  }
}
