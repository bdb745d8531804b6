import { randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/** One mail of the fake mailbox. */
export interface FakeMail {
  readonly from: string;
  readonly subject: string;
  readonly body: string;
  /** Also an HTML alternative part (the text/plain part stays first). */
  readonly html?: string;
  readonly labelIds?: readonly string[];
}

interface Stored {
  readonly id: string;
  readonly threadId: string;
  readonly historyId: bigint;
  readonly mail: FakeMail;
}

/** A request the fake saw (path without the query). */
export interface FakeGmailRequest {
  readonly method: string;
  readonly path: string;
  readonly query: Readonly<Record<string, string>>;
  readonly authorization?: string;
}

const b64url = (s: string) => Buffer.from(s, "utf8").toString("base64url");

/**
 * A Gmail API and Google OAuth token endpoint on 127.0.0.1, faithful to the parts holdfast uses:
 * `POST /token` (refresh-token grant, form-encoded; `invalid_grant` on a wrong secret),
 * `GET /gmail/v1/users/{me|address}/history` (`startHistoryId` required, records after it, `historyTypes`
 * and `labelId` filters, `maxResults` paging with `nextPageToken`, 404 for a start id older than the
 * mailbox keeps, `history` omitted when empty) and `GET /gmail/v1/users/{user}/messages/{id}?format=full`
 * (a multipart/alternative payload with base64url part data). Every API call needs the current access
 * token as a bearer (401 otherwise). History ids grow with random gaps, as Gmail's do.
 */
export class FakeGmail {
  readonly requests: FakeGmailRequest[] = [];
  readonly address: string;
  accessToken = `ya29.${randomBytes(12).toString("hex")}`;
  readonly oauth = {
    clientId: "client-1.apps.googleusercontent.com",
    clientSecret: "gocspx-secret",
    refreshToken: "1//refresh",
  };
  /** History ids below this are gone (404). */
  oldestHistoryId = 0n;
  private historyId = 1000n + BigInt(randomBytes(1)[0] ?? 0);
  private readonly mails: Stored[] = [];
  private failures: number[] = [];
  private server: Server | undefined;
  port = 0;

  constructor(address = "owner@example.com") {
    this.address = address;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** The mailbox's current history id. */
  get currentHistoryId(): string {
    return String(this.historyId);
  }

  async start(): Promise<this> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((r) => this.server?.listen(0, "127.0.0.1", r));
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }

  async close(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise((r) => this.server?.close(r));
  }

  /** Delivers a mail: a new message and a messageAdded history record. @returns its ids. */
  addMail(mail: FakeMail): { id: string; historyId: string } {
    this.historyId += 1n + BigInt((randomBytes(1)[0] ?? 0) % 5);
    const id = randomBytes(8).toString("hex");
    this.mails.push({ id, threadId: id, historyId: this.historyId, mail });
    return { id, historyId: String(this.historyId) };
  }

  /** Makes the next `n` Gmail API calls answer `status` (token calls are not affected). */
  failNext(n: number, status = 503): void {
    this.failures.push(...Array.from({ length: n }, () => status));
  }

  /** Calls of one API method (`history` or `messages`). */
  calls(kind: "history" | "messages" | "token"): FakeGmailRequest[] {
    return this.requests.filter((r) => (kind === "token" ? r.path === "/token" : r.path.includes(`/${kind}`)));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const u = new URL(req.url ?? "/", this.url);
    const body = await new Promise<string>((r) => {
      let s = "";
      req.on("data", (b: Buffer) => (s += b.toString()));
      req.on("end", () => r(s));
    });
    this.requests.push({
      method: req.method ?? "",
      path: u.pathname,
      query: Object.fromEntries(u.searchParams),
      ...(req.headers.authorization ? { authorization: req.headers.authorization } : {}),
    });
    const send = (status: number, value: unknown) => {
      res.writeHead(status, { "content-type": "application/json; charset=UTF-8" });
      res.end(JSON.stringify(value));
    };
    if (req.method === "POST" && u.pathname === "/token") return this.token(new URLSearchParams(body), send);
    const m = /^\/gmail\/v1\/users\/([^/]+)\/(history|messages\/([^/]+))$/.exec(u.pathname);
    if (req.method !== "GET" || !m) return send(404, googleError(404, "Not Found", "notFound"));
    if (req.headers.authorization !== `Bearer ${this.accessToken}`)
      return send(401, googleError(401, "Request had invalid authentication credentials.", "authError"));
    const fail = this.failures.shift();
    if (fail !== undefined) return send(fail, googleError(fail, "Backend Error", "backendError"));
    const user = decodeURIComponent(m[1] ?? "");
    if (user !== "me" && user.toLowerCase() !== this.address)
      return send(403, googleError(403, "Delegation denied", "forbidden"));
    if (m[2] === "history") return this.history(u.searchParams, send);
    return this.message(decodeURIComponent(m[3] ?? ""), send);
  }

  private token(form: URLSearchParams, send: (s: number, v: unknown) => void): void {
    const good =
      form.get("grant_type") === "refresh_token" &&
      form.get("client_id") === this.oauth.clientId &&
      form.get("client_secret") === this.oauth.clientSecret &&
      form.get("refresh_token") === this.oauth.refreshToken;
    if (!good) return send(400, { error: "invalid_grant", error_description: "Bad Request" });
    send(200, {
      access_token: this.accessToken,
      expires_in: 3599,
      scope: "https://www.googleapis.com/auth/gmail.readonly",
      token_type: "Bearer",
    });
  }

  private history(q: URLSearchParams, send: (s: number, v: unknown) => void): void {
    const raw = q.get("startHistoryId");
    if (!raw || !/^\d+$/.test(raw)) return send(400, googleError(400, "Invalid startHistoryId", "invalidArgument"));
    const start = BigInt(raw);
    if (start < this.oldestHistoryId) return send(404, googleError(404, "Requested entity was not found.", "notFound"));
    const types = q.getAll("historyTypes");
    const label = q.get("labelId");
    const max = Math.min(500, Number(q.get("maxResults") ?? 100));
    const offset = Number(q.get("pageToken") ?? 0);
    const records = this.mails
      .filter((s) => s.historyId > start)
      .filter((s) => !label || (s.mail.labelIds ?? ["INBOX", "UNREAD"]).includes(label))
      .filter(() => types.length === 0 || types.includes("messageAdded"));
    const page = records.slice(offset, offset + max);
    const history = page.map((s) => {
      const message = { id: s.id, threadId: s.threadId, labelIds: s.mail.labelIds ?? ["INBOX", "UNREAD"] };
      return { id: String(s.historyId), messages: [{ id: s.id, threadId: s.threadId }], messagesAdded: [{ message }] };
    });
    send(200, {
      ...(history.length > 0 ? { history } : {}),
      historyId: String(this.historyId),
      ...(offset + max < records.length ? { nextPageToken: String(offset + max) } : {}),
    });
  }

  private message(id: string, send: (s: number, v: unknown) => void): void {
    const s = this.mails.find((x) => x.id === id);
    if (!s) return send(404, googleError(404, "Requested entity was not found.", "notFound"));
    const text = {
      partId: "0",
      mimeType: "text/plain",
      filename: "",
      headers: [{ name: "Content-Type", value: 'text/plain; charset="UTF-8"' }],
      body: { size: Buffer.byteLength(s.mail.body), data: b64url(s.mail.body) },
    };
    const html =
      s.mail.html !== undefined
        ? [
            {
              partId: "1",
              mimeType: "text/html",
              filename: "",
              headers: [],
              body: { size: Buffer.byteLength(s.mail.html), data: b64url(s.mail.html) },
            },
          ]
        : [];
    send(200, {
      id: s.id,
      threadId: s.threadId,
      labelIds: s.mail.labelIds ?? ["INBOX", "UNREAD"],
      snippet: s.mail.body.slice(0, 100),
      historyId: String(s.historyId),
      internalDate: String(Date.now()),
      sizeEstimate: s.mail.body.length + 500,
      payload: {
        partId: "",
        mimeType: "multipart/alternative",
        filename: "",
        headers: [
          { name: "From", value: s.mail.from },
          { name: "To", value: this.address },
          { name: "Subject", value: s.mail.subject },
          { name: "Content-Type", value: 'multipart/alternative; boundary="000"' },
        ],
        body: { size: 0 },
        parts: [text, ...html],
      },
    });
  }
}

function googleError(code: number, message: string, reason: string) {
  return { error: { code, message, errors: [{ message, domain: "global", reason }], status: statusName(code) } };
}

function statusName(code: number): string {
  return (
    { 400: "INVALID_ARGUMENT", 401: "UNAUTHENTICATED", 403: "PERMISSION_DENIED", 404: "NOT_FOUND" }[code] ??
    "UNAVAILABLE"
  );
}
