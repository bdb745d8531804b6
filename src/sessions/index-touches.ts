import type { Logger } from "../logging/index.js";
import type { SessionIndex } from "../store/index.js";

/** How long message counts are gathered before one index commit (ms). */
const TOUCH_DELAY_MS = 200;

/**
 * Message counts and `updatedAt` of the session index, gathered for up to 200 ms into one commit (a
 * busy gateway commits the index a few times per second at most; the transcripts carry every
 * message as it happens, and the counts can be re-derived from them). A failed commit keeps the
 * changes for the next attempt.
 */
export class IndexTouches {
  private pending = new Map<string, { at: number; messages: number }>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly index: SessionIndex,
    private readonly log: Logger,
  ) {}

  /** Counts one message of `key` at `at` (ms). */
  add(key: string, at: number): void {
    const cur = this.pending.get(key);
    this.pending.set(key, { at: Math.max(cur?.at ?? 0, at), messages: (cur?.messages ?? 0) + 1 });
    this.timer ??= setTimeout(() => this.tryFlush(), TOUCH_DELAY_MS);
    this.timer.unref();
  }

  /** Messages of `key` counted but not committed yet. */
  pendingMessages(key: string): number {
    return this.pending.get(key)?.messages ?? 0;
  }

  /** `entry` as it will be once the pending changes are committed (what this process already knows). */
  overlay<T extends { key: string; updatedAt: number; messageCount: number }>(entry: T): T {
    const p = this.pending.get(entry.key);
    return p
      ? { ...entry, updatedAt: Math.max(entry.updatedAt, p.at), messageCount: entry.messageCount + p.messages }
      : entry;
  }

  /** Forgets pending changes of a deleted session. */
  drop(key: string): void {
    this.pending.delete(key);
  }

  /**
   * Commits every pending change now.
   * @throws HoldfastError HF_STATE_* when the commit fails (the changes stay pending)
   */
  flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.pending.size === 0) return;
    const batch = this.pending;
    this.pending = new Map();
    try {
      this.index.touchMany([...batch].map(([key, c]) => ({ key, ...c })));
    } catch (err) {
      for (const [key, c] of batch) {
        const later = this.pending.get(key);
        this.pending.set(key, { at: Math.max(c.at, later?.at ?? 0), messages: c.messages + (later?.messages ?? 0) });
      }
      throw err;
    }
  }

  private tryFlush(): void {
    try {
      this.flush();
    } catch (err) {
      this.log.warn({ err: (err as Error).message }, "session index counts not saved; retrying");
      this.timer ??= setTimeout(() => this.tryFlush(), TOUCH_DELAY_MS * 5);
      this.timer.unref();
    }
  }
}
