import path from "node:path";
import { JsonFileStore } from "../infra/index.js";
import type { SessionMeta } from "./types.js";
import { HoldfastError } from "../errors/index.js";

/** Shape of `sessions.json`: session key → meta. */
export type SessionIndex = Record<string, SessionMeta>;

function parseIndex(raw: unknown): SessionIndex {
  if (raw === null || typeof raw !== "object" || Array.isArray(raw))
    throw new HoldfastError("HF_STATE_CORRUPT", "expected an object of session entries");
  const out: SessionIndex = {};
  for (const [key, v] of Object.entries(raw as Record<string, unknown>)) {
    const m = v as Partial<SessionMeta>;
    if (typeof m?.sessionId !== "string" || !/^[a-f0-9-]{36}$/.test(m.sessionId))
      throw new HoldfastError("HF_STATE_CORRUPT", `entry ${key} has no valid sessionId`);
    out[key] = { ...(m as SessionMeta), key };
  }
  return out;
}

/**
 * One agent's `sessions.json`, cached in memory. Reads re-validate the cache against the file's mtime
 * (so changes made by CLI commands are seen); writes are coalesced: while one locked write is in
 * flight, further changes are merged into the next one.
 */
export class IndexCache {
  private readonly store: JsonFileStore<SessionIndex>;
  private cache: SessionIndex | undefined;
  private cacheMtime = -1;
  private checkedAt = 0;
  /** Changes not yet on disk, applied on top of the file's current content by the next write. */
  private pending = new Map<string, ((cur: SessionMeta | undefined) => SessionMeta | undefined)[]>();
  private writing: Promise<void> | undefined;

  /**
   * @param sessionsDir directory of `sessions.json`
   * @param revalidateMs how long a cached index is trusted before its mtime is checked again
   * @param writeDelayMs how long changes are gathered before one write (a busy gateway writes the
   *   index a few times per second at most; transcripts carry every message as it happens)
   */
  constructor(
    sessionsDir: string,
    private readonly revalidateMs = 250,
    private readonly writeDelayMs = 200,
  ) {
    this.store = new JsonFileStore(path.join(sessionsDir, "sessions.json"), parseIndex, () => ({}));
  }

  /** The current index (cache, re-read when the file changed on disk). */
  async read(): Promise<SessionIndex> {
    const now = Date.now();
    if (this.cache && now - this.checkedAt < this.revalidateMs) return this.cache;
    this.checkedAt = now;
    const mtime = await this.store.mtimeMs();
    if (!this.cache || mtime !== this.cacheMtime) {
      this.cache = applyAll(await this.store.read(), this.pending);
      this.cacheMtime = mtime;
    }
    return this.cache;
  }

  /**
   * Changes one entry now (in memory) and schedules the disk write; `urgent` (creations, deletions)
   * writes without the gathering delay. Returns the new entry.
   */
  change(
    key: string,
    fn: (cur: SessionMeta | undefined) => SessionMeta | undefined,
    urgent = false,
  ): SessionMeta | undefined {
    const list = this.pending.get(key) ?? [];
    list.push(fn);
    this.pending.set(key, list);
    if (this.cache) {
      const next = fn(this.cache[key]);
      this.cache = withEntry(this.cache, key, next);
    }
    if (urgent) this.wake?.();
    this.kick(urgent);
    return this.cache?.[key];
  }

  /** Writes pending changes now and resolves when every scheduled change is on disk. */
  async flush(): Promise<void> {
    this.immediate = true;
    try {
      this.wake?.();
      while (this.writing || this.pending.size > 0) {
        if (!this.writing) this.kick();
        await this.writing;
      }
    } finally {
      this.immediate = false;
    }
  }

  private immediate = false;
  private wake: (() => void) | undefined;

  private kick(urgent = false): void {
    if (this.writing) return;
    this.writing = (urgent ? Promise.resolve() : this.delay())
      .then(() => this.writeLoop())
      .finally(() => (this.writing = undefined));
  }

  private delay(): Promise<void> {
    if (this.immediate) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const timer = setTimeout(done, this.writeDelayMs);
      timer.unref();
      this.wake = done;
      function done() {
        clearTimeout(timer);
        resolve();
      }
    }).finally(() => (this.wake = undefined));
  }

  private async writeLoop(): Promise<void> {
    while (this.pending.size > 0) {
      const batch = this.pending;
      this.pending = new Map();
      const written = await this.store.update((disk) => {
        const value = applyAll(disk, batch);
        return { value, result: value };
      });
      this.cacheMtime = await this.store.mtimeMs();
      this.cache = applyAll(written, this.pending);
    }
  }
}

function applyAll(
  base: SessionIndex,
  changes: Map<string, ((cur: SessionMeta | undefined) => SessionMeta | undefined)[]>,
): SessionIndex {
  let out = base;
  for (const [key, fns] of changes) for (const fn of fns) out = withEntry(out, key, fn(out[key]));
  return out;
}

function withEntry(index: SessionIndex, key: string, meta: SessionMeta | undefined): SessionIndex {
  if (meta === undefined) {
    if (!(key in index)) return index;
    const { [key]: _gone, ...rest } = index;
    return rest;
  }
  return { ...index, [key]: meta };
}
