import { readFileIfExists, writeJsonAtomic } from "../infra/index.js";

/** How many handled update ids a ledger remembers. */
const RECENT_MAX = 512;

/**
 * The platform update ids an account has handled (Slack `<channel>:<ts>`, Discord message ids),
 * persisted in `<stateDir>/<channel>/seen-<account>.json` (mode 600, atomic writes) so a redelivery —
 * a Slack retry, a replayed Discord event, an update seen again after a restart — is never answered
 * twice. An id is marked before its message is handled (at most once). The newest
 * {@link RECENT_MAX} ids are kept.
 */
export class SeenLedger {
  private readonly set: Set<string>;

  private constructor(
    readonly file: string,
    private recent: string[],
  ) {
    this.set = new Set(recent);
  }

  /** Loads the ledger (a missing or unreadable file starts empty). */
  static async open(file: string): Promise<SeenLedger> {
    let recent: string[] = [];
    try {
      const parsed = JSON.parse((await readFileIfExists(file)) ?? "{}") as { recent?: unknown };
      if (Array.isArray(parsed.recent)) recent = parsed.recent.filter((v): v is string => typeof v === "string");
    } catch {
      recent = [];
    }
    return new SeenLedger(file, recent.slice(-RECENT_MAX));
  }

  /** True when `id` was never marked (among the remembered ids). */
  isNew(id: string): boolean {
    return !this.set.has(id);
  }

  /** Marks `id` handled and persists the ledger. */
  async mark(id: string): Promise<void> {
    if (this.set.has(id)) return;
    this.recent.push(id);
    this.set.add(id);
    while (this.recent.length > RECENT_MAX) this.set.delete(this.recent.shift() as string);
    await writeJsonAtomic(this.file, { version: 1, recent: this.recent });
  }
}
