import { readFileIfExists, writeJsonAtomic } from "../../infra/index.js";

/** How many handled update ids are remembered for out-of-order duplicates (webhooks). */
const RECENT_MAX = 256;

/**
 * The handled Telegram update ids of one bot account, persisted in
 * `<stateDir>/telegram/update-offset-<accountId>.json` (mode 600, atomic writes) so a restart never
 * handles — and answers — an update twice. An id is marked before it is handled (at most once). The
 * highest id gives the next `getUpdates` offset, which also confirms earlier updates to Telegram.
 */
export class UpdateLedger {
  private constructor(
    readonly file: string,
    private recent: number[],
  ) {}

  /** Loads the ledger (a missing or unreadable file starts empty). */
  static async open(file: string): Promise<UpdateLedger> {
    let recent: number[] = [];
    try {
      const parsed = JSON.parse((await readFileIfExists(file)) ?? "{}") as { lastUpdateId?: unknown; recent?: unknown };
      recent = Array.isArray(parsed.recent) ? parsed.recent.filter((n): n is number => Number.isSafeInteger(n)) : [];
      if (Number.isSafeInteger(parsed.lastUpdateId) && !recent.includes(parsed.lastUpdateId as number))
        recent.push(parsed.lastUpdateId as number);
    } catch {
      recent = [];
    }
    return new UpdateLedger(file, recent.sort((a, b) => a - b).slice(-RECENT_MAX));
  }

  /** True when `updateId` was never handled (ids older than the remembered window count as handled). */
  isNew(updateId: number): boolean {
    if (this.recent.includes(updateId)) return false;
    const oldest = this.recent[0];
    return !(this.recent.length >= RECENT_MAX && oldest !== undefined && updateId < oldest);
  }

  /** Records `updateId` as handled and persists the ledger. */
  async mark(updateId: number): Promise<void> {
    this.recent = [...this.recent, updateId].sort((a, b) => a - b).slice(-RECENT_MAX);
    await writeJsonAtomic(this.file, { version: 1, lastUpdateId: this.lastUpdateId(), recent: this.recent });
  }

  /** The highest handled id, if any. */
  lastUpdateId(): number | undefined {
    return this.recent[this.recent.length - 1];
  }

  /** `getUpdates` offset: one past the highest handled id. */
  nextOffset(): number | undefined {
    const last = this.lastUpdateId();
    return last === undefined ? undefined : last + 1;
  }
}
