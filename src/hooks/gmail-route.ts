import type { Hono } from "hono";
import type { StartRunInput } from "../agent/index.js";
import type { RequestClient } from "../gateway/index.js";
import type { Logger } from "../logging/index.js";
import type { SecurityTrail } from "../trail/index.js";
import { ClientLockout } from "./auth.js";
import { readBoundedBody } from "./body.js";
import type { GmailApi } from "./gmail-api.js";
import { mailMessage, mailProvenance } from "./gmail-mail.js";
import { GmailSync } from "./gmail-sync.js";
import { decodeNotification, PushBodySchema, PushTokenVerifier, type GmailSettings } from "./gmail.js";
import { HOOKS_READ_TIMEOUT_MS, type HookSettings } from "./settings.js";
import { hookTarget } from "./requests.js";

/** Push message ids remembered for answering a redelivery at once (the newest this many). */
const RECENT_PUSHES = 2_000;

/** What the Gmail push route is built with. */
export interface GmailRouteDeps {
  readonly settings: HookSettings;
  readonly gmail: GmailSettings;
  readonly api: GmailApi;
  /** The file of the last history id per mailbox. */
  readonly cursorFile: string;
  readonly runs: { start(input: StartRunInput): unknown };
  readonly agentIds: readonly string[];
  readonly log: Logger;
  readonly now: () => number;
  readonly trail: SecurityTrail;
  readonly readTimeoutMs?: number;
  /** First backoff wait after a failed sync (ms; tests). */
  readonly backoffBaseMs?: number;
}

/**
 * The mail handed to the agent: a turn in `hooks.gmail.sessionKey` (else the hooks default) of
 * `hooks.gmail.agentId`, keyed `gmail:<mailbox>:<message id>` in the run ledger so a mail is run once
 * whatever the pushes (7 days, across restarts).
 * @throws HoldfastError when the run cannot be accepted (the sync backs off and retries).
 */
function mailDelivery(d: GmailRouteDeps) {
  const settings = d.gmail.sessionKey ? { ...d.settings, defaultSessionKey: d.gmail.sessionKey } : d.settings;
  return (mailbox: string, mail: Parameters<typeof mailMessage>[1]) => {
    const target = hookTarget(settings, { agentId: d.gmail.agentId }, d.agentIds);
    if (!target.ok) {
      d.log.warn({ error: target.error }, "gmail mail not run");
      return;
    }
    d.runs.start({
      agentId: target.agentId,
      sessionKey: target.sessionKey,
      message: mailMessage(mailbox, mail),
      provenance: mailProvenance(mailbox, mail),
      idempotencyKey: `gmail:${mailbox}:${mail.id}`,
      sender: { channel: "gmail", id: mailbox, name: mail.from },
      origin: { channel: "gmail", displayName: "Gmail" },
    });
  };
}

/**
 * `POST <path>/gmail` (issue "Gmail Pub/Sub push"): a client locked out by its failures is answered
 * 429 first; the OIDC token is verified before the body is read (401, counting toward the lockout
 * like bad hooks tokens); the push body is read bounded, its `subscription` checked against
 * `hooks.gmail.subscription` when set (403), and its notification (`emailAddress`, `historyId`)
 * starts a {@link GmailSync} of the mailbox. The push is acknowledged (200) at once: the history
 * cursor, not Pub/Sub's redelivery, makes sure no mail is missed when the Gmail API is down.
 */
export function mountGmailRoute(app: Hono, client: RequestClient, d: GmailRouteDeps): GmailSync {
  const verifier = new PushTokenVerifier(d.gmail);
  const lockout = new ClientLockout({ now: d.now, trail: d.trail, surface: "hooks.gmail" });
  const sync = new GmailSync({
    api: d.api,
    cursorFile: d.cursorFile,
    deliver: mailDelivery(d),
    maxBodyChars: d.gmail.maxBodyChars,
    log: d.log,
    ...(d.backoffBaseMs !== undefined ? { backoffBaseMs: d.backoffBaseMs } : {}),
  });
  const recent = new Set<string>();
  app.post(`${d.settings.basePath}/gmail`, async (c) => {
    const who = client(c);
    const locked = lockout.locked(who);
    if (locked) return c.json({ ok: false, error: locked.error }, 429, locked.headers);
    const verdict = await verifier.verify(c.req.header("authorization"));
    if (!verdict.ok) {
      lockout.failed(who, verdict.reason);
      return c.json({ ok: false, error: "unauthorized" }, 401);
    }
    lockout.succeeded(who);
    const read = await readBoundedBody(c.req.raw, d.settings.maxBodyBytes, d.readTimeoutMs ?? HOOKS_READ_TIMEOUT_MS);
    if (!read.ok) return c.json({ ok: false, error: read.refusal.error }, read.refusal.status, read.refusal.headers);
    let push: ReturnType<typeof PushBodySchema.parse>;
    try {
      push = PushBodySchema.parse(JSON.parse(read.text));
    } catch {
      return c.json({ ok: false, error: "not a Pub/Sub push" }, 400);
    }
    if (d.gmail.subscription !== undefined && push.subscription !== d.gmail.subscription) {
      d.log.warn({ subscription: push.subscription?.slice(0, 200) }, "gmail push from another subscription refused");
      return c.json({ ok: false, error: "push from a subscription other than hooks.gmail.subscription" }, 403);
    }
    const note = decodeNotification(push.message.data);
    if (!note) return c.json({ ok: false, error: "not a Gmail notification" }, 400);
    const duplicate = recent.has(push.message.messageId);
    if (!duplicate) {
      recent.add(push.message.messageId);
      if (recent.size > RECENT_PUSHES) recent.delete(recent.values().next().value as string);
      sync.notify(note);
    }
    d.log.info({ mailbox: note.emailAddress, historyId: note.historyId, duplicate }, "gmail push");
    return c.json({ ok: true, duplicate });
  });
  return sync;
}
