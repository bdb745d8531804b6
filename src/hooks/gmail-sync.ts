import { z } from "zod";
import { errorMessage, isHoldfastError } from "../errors/index.js";
import { backoffDelayMs, JsonFileStore } from "../infra/index.js";
import type { Logger } from "../logging/index.js";
import type { GmailApi } from "./gmail-api.js";
import { mailItem, type MailItem } from "./gmail-mail.js";
import type { GmailNotification } from "./gmail.js";

/** First wait after a failed Gmail sync (ms); it doubles with each failure in a row. */
export const GMAIL_BACKOFF_BASE_MS = 5_000;
/** Longest wait between Gmail syncs that keep failing (ms): 5 minutes. */
export const GMAIL_BACKOFF_MAX_MS = 300_000;
/** History pages read in one sync (100 records each), so one push never reads without end. */
const MAX_PAGES = 20;

const CursorSchema = z.object({ version: z.literal(1), mailboxes: z.record(z.string(), z.string()) });
type Cursors = z.infer<typeof CursorSchema>;

/** What a Gmail sync is built with. */
export interface GmailSyncDeps {
  readonly api: GmailApi;
  /** The file of the last history id per mailbox (`<stateDir>/hooks/gmail-history.json`). */
  readonly cursorFile: string;
  /** Hands one new mail to the agent. @throws when it cannot be accepted (the sync backs off). */
  readonly deliver: (mailbox: string, mail: MailItem) => void;
  readonly maxBodyChars: number;
  readonly log: Logger;
  /** First backoff wait (ms); default {@link GMAIL_BACKOFF_BASE_MS}. */
  readonly backoffBaseMs?: number;
}

/** A mailbox's sync health, for status. */
export interface GmailMailboxStatus {
  readonly mailbox: string;
  /** Failed syncs in a row (0 when the last one worked). */
  readonly failures: number;
  readonly lastError?: string;
}

interface Box {
  readonly mailbox: string;
  /** The newest history id a push announced. */
  latest: bigint;
  /** Where a mailbox without a stored cursor starts: just before its first push's id. */
  readonly firstStart: string;
  running: boolean;
  again: boolean;
  timer: NodeJS.Timeout | undefined;
  failures: number;
  lastError?: string;
}

/**
 * Fetches the mail a Gmail push announced: `users.history.list` from the mailbox's last seen history
 * id (messageAdded, INBOX; for a mailbox never seen, from just before the push's id, so older mail is
 * not replayed), then `users.messages.get` for each added message, each handed to
 * {@link GmailSyncDeps.deliver}; the last history id is then stored atomically (mode 600 in a 700
 * directory). One sync per mailbox runs at a time; a push during it runs another after it. A failed
 * sync waits 5 s doubling to 5 min before the next (pushes meanwhile only raise the target), logged
 * once when the failures start and once when they end. A start id Gmail no longer has (404) skips to
 * the push's id with a warning.
 */
export class GmailSync {
  private readonly boxes = new Map<string, Box>();
  private readonly store: JsonFileStore<Cursors>;
  private stopped = false;

  constructor(private readonly deps: GmailSyncDeps) {
    this.store = new JsonFileStore(
      deps.cursorFile,
      (raw) => CursorSchema.parse(raw),
      () => ({ version: 1, mailboxes: {} }),
    );
  }

  /** Records a push and starts a sync of its mailbox unless one is running or backing off. */
  notify(note: GmailNotification): void {
    const mailbox = note.emailAddress.toLowerCase();
    let box = this.boxes.get(mailbox);
    const id = BigInt(note.historyId);
    if (!box) {
      const firstStart = String(id > 0n ? id - 1n : 0n);
      box = { mailbox, latest: 0n, firstStart, running: false, again: false, timer: undefined, failures: 0 };
      this.boxes.set(mailbox, box);
    }
    if (id > box.latest) box.latest = id;
    this.kick(box);
  }

  /** Each mailbox's sync health. */
  status(): GmailMailboxStatus[] {
    return [...this.boxes.values()].map((b) => ({
      mailbox: b.mailbox,
      failures: b.failures,
      ...(b.lastError ? { lastError: b.lastError } : {}),
    }));
  }

  /** Stops retries (shutdown). */
  stop(): void {
    this.stopped = true;
    for (const b of this.boxes.values()) clearTimeout(b.timer);
  }

  private kick(box: Box): void {
    if (this.stopped) return;
    if (box.running || box.timer) {
      box.again = box.running;
      return;
    }
    box.running = true;
    void this.run(box).finally(() => {
      box.running = false;
      if (box.again && !box.timer) {
        box.again = false;
        this.kick(box);
      }
    });
  }

  private async run(box: Box): Promise<void> {
    try {
      const fetched = await this.syncOnce(box);
      if (box.failures > 0)
        this.deps.log.info({ mailbox: box.mailbox, failures: box.failures }, "Gmail API reachable again");
      box.failures = 0;
      delete box.lastError;
      if (fetched > 0) this.deps.log.info({ mailbox: box.mailbox, mails: fetched }, "gmail mail fetched");
    } catch (err) {
      box.failures += 1;
      box.lastError = errorMessage(err);
      const waitMs = backoffDelayMs(
        box.failures - 1,
        this.deps.backoffBaseMs ?? GMAIL_BACKOFF_BASE_MS,
        GMAIL_BACKOFF_MAX_MS,
      );
      const at = {
        mailbox: box.mailbox,
        failures: box.failures,
        retryInMs: waitMs,
        code: isHoldfastError(err) ? err.code : undefined,
        err: box.lastError,
      };
      if (box.failures === 1) this.deps.log.warn(at, "Gmail API failing; new mail is fetched again after a backoff");
      else this.deps.log.debug(at, "Gmail sync failed again");
      box.again = false;
      box.timer = setTimeout(() => {
        box.timer = undefined;
        this.kick(box);
      }, waitMs);
      box.timer.unref();
    }
  }

  /** One sync of a mailbox; the number of mails handed on. */
  private async syncOnce(box: Box): Promise<number> {
    const saved = (await this.store.read()).mailboxes[box.mailbox];
    const start = saved ?? box.firstStart;
    let pageToken: string | undefined;
    let newest = start;
    let fetched = 0;
    for (let page = 0; page < MAX_PAGES; page++) {
      const got = await this.deps.api.listHistory(box.mailbox, start, pageToken);
      if (got.expired) {
        this.deps.log.warn(
          { mailbox: box.mailbox, from: start },
          "Gmail no longer has this history; older mail skipped",
        );
        newest = String(box.latest);
        break;
      }
      for (const id of got.messageIds) {
        const m = await this.deps.api.getMessage(box.mailbox, id);
        if (!m) continue;
        this.deps.deliver(box.mailbox, mailItem(m, this.deps.maxBodyChars));
        fetched++;
      }
      newest = got.historyId;
      if (!got.nextPageToken) break;
      pageToken = got.nextPageToken;
    }
    if (newest !== saved) await this.save(box.mailbox, newest);
    return fetched;
  }

  private save(mailbox: string, historyId: string): Promise<void> {
    return this.store.update((cur) => {
      const before = cur.mailboxes[mailbox];
      if (before !== undefined && BigInt(before) >= BigInt(historyId))
        return { value: cur, result: undefined, write: false };
      return { value: { version: 1, mailboxes: { ...cur.mailboxes, [mailbox]: historyId } }, result: undefined };
    });
  }
}
