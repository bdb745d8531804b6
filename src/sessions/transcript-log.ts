import { promises as fsp, constants as fsc } from "node:fs";
import path from "node:path";
import { HoldfastError } from "../errors/index.js";
import { ensurePrivateDir, STATE_FILE_MODE } from "../infra/index.js";

/** Open transcript files kept for appending (least recently used are closed first). */
const MAX_OPEN = 64;
/** Longest time an appended line waits for its fsync (ms); {@link TranscriptLog.flush} syncs at once. */
const SYNC_DELAY_MS = 250;

interface OpenFile {
  readonly handle: fsp.FileHandle;
  dirty: boolean;
}

/**
 * Appends JSONL lines to transcript files. Lines queued while a write is in flight go out together
 * (group commit); each file stays open for further appends and is fsynced at most `SYNC_DELAY_MS`
 * after a write, and at once by {@link flush}. A process crash loses nothing (the kernel has the
 * data); only a machine crash can lose the last fraction of a second. Files are created 600 with
 * O_NOFOLLOW in 700 directories.
 */
export class TranscriptLog {
  private readonly pending = new Map<string, string[]>();
  private readonly writers = new Map<string, Promise<void>>();
  private readonly open = new Map<string, OpenFile>();
  private readonly ensuredDirs = new Set<string>();
  private readonly failures: unknown[] = [];
  private syncTimer: NodeJS.Timeout | undefined;

  /** Queues `line` for `file`; resolves when it is written (not necessarily fsynced). */
  append(file: string, line: string): Promise<void> {
    const list = this.pending.get(file) ?? [];
    list.push(line.endsWith("\n") ? line : `${line}\n`);
    this.pending.set(file, list);
    return this.kick(file);
  }

  /** Writes and fsyncs everything queued. Rejects with the first write failure, if any. */
  async flush(): Promise<void> {
    while (this.writers.size > 0) await Promise.allSettled([...this.writers.values()]);
    await this.syncAll();
    const failed = this.failures.splice(0);
    if (failed.length > 0) throw failed[0];
  }

  /** Flushes and closes `file` (before it is renamed or deleted). */
  async close(file: string): Promise<void> {
    await this.flush();
    const f = this.open.get(file);
    this.open.delete(file);
    await f?.handle.close().catch(() => undefined);
  }

  /** Flushes and closes every open file. */
  async closeAll(): Promise<void> {
    await this.flush();
    for (const file of [...this.open.keys()]) await this.close(file);
  }

  private kick(file: string): Promise<void> {
    const running = this.writers.get(file);
    if (running) return running.then(() => this.kick(file));
    const w = this.writeLoop(file).finally(() => this.writers.delete(file));
    this.writers.set(file, w);
    return w;
  }

  private async writeLoop(file: string): Promise<void> {
    while ((this.pending.get(file)?.length ?? 0) > 0) {
      const text = (this.pending.get(file) as string[]).splice(0).join("");
      try {
        const f = await this.handleFor(file);
        await f.handle.write(text);
        f.dirty = true;
        this.scheduleSync();
      } catch (err) {
        const e = new HoldfastError("HF_STATE_IO", `cannot append to ${file}`, { path: file }, { cause: err });
        this.failures.push(e);
        throw e;
      }
    }
    this.pending.delete(file);
  }

  private async handleFor(file: string): Promise<OpenFile> {
    const cached = this.open.get(file);
    if (cached) {
      this.open.delete(file);
      this.open.set(file, cached);
      return cached;
    }
    const dir = path.dirname(file);
    if (!this.ensuredDirs.has(dir)) {
      await ensurePrivateDir(dir);
      this.ensuredDirs.add(dir);
    }
    const handle = await fsp.open(file, fsc.O_WRONLY | fsc.O_CREAT | fsc.O_APPEND | fsc.O_NOFOLLOW, STATE_FILE_MODE);
    const f: OpenFile = { handle, dirty: false };
    this.open.set(file, f);
    if (this.open.size > MAX_OPEN) await this.evictOldest();
    return f;
  }

  private async evictOldest(): Promise<void> {
    const [file, f] = this.open.entries().next().value as [string, OpenFile];
    this.open.delete(file);
    if (f.dirty) await f.handle.sync().catch(() => undefined);
    await f.handle.close().catch(() => undefined);
  }

  private scheduleSync(): void {
    if (this.syncTimer) return;
    this.syncTimer = setTimeout(() => void this.syncAll(), SYNC_DELAY_MS);
    this.syncTimer.unref();
  }

  private async syncAll(): Promise<void> {
    clearTimeout(this.syncTimer);
    this.syncTimer = undefined;
    const dirty = [...this.open.values()].filter((f) => f.dirty);
    await Promise.all(
      dirty.map(async (f) => {
        f.dirty = false;
        await f.handle.sync().catch((err: unknown) => this.failures.push(err));
      }),
    );
  }
}
