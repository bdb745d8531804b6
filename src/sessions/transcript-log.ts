import { promises as fsp, constants as fsc } from "node:fs";
import path from "node:path";
import {
  appendCodec,
  conformFile,
  ensurePrivateDir,
  STATE_FILE_MODE,
  writeFileAtomic,
  type AppendCodec,
} from "../infra/index.js";
import { repairTornTail, storageError } from "../store/index.js";

/** Open transcript files kept for appending (least recently used are closed first). */
const MAX_OPEN = 64;
/** Longest time an appended line waits for its fsync (ms); {@link TranscriptLog.flush} syncs at once. */
const SYNC_DELAY_MS = 250;

interface OpenFile {
  readonly handle: fsp.FileHandle;
  /** Plaintext, or sealed records when encryption at rest is on (its key line goes first in a new file). */
  readonly codec: AppendCodec;
  dirty: boolean;
  /** Bytes known to be complete lines; a failed write is cut back to this. */
  size: number;
}

/** Called when a transcript had a torn last line that was cut off on open. */
export type TornTailListener = (file: string, droppedBytes: number) => void;

/**
 * Appends JSONL lines to transcript files. Lines queued while a write is in flight go out together
 * (group commit); each file stays open for further appends and is fsynced at most `SYNC_DELAY_MS`
 * after a write, and at once by {@link flush}. A process crash loses nothing (the kernel has the
 * data); only a machine crash can lose the last fraction of a second. Files are created 600 with
 * O_NOFOLLOW in 700 directories.
 *
 * Torn lines never stay: a file is repaired when this process first opens it (a torn tail left by a
 * crash is cut to the last complete line), and a write that fails part-way (ENOSPC) is cut back to
 * where it started, so the next append never glues onto a fragment. Failures reject with a storage
 * error (HF_STATE_DISK_FULL, HF_STATE_FD_LIMIT, HF_STATE_IO).
 *
 * With encryption at rest on, each line is written as one sealed record of the file's envelope
 * (`infra/envelope.ts`); a file found in the other format is rewritten in the current one first.
 */
export class TranscriptLog {
  private readonly pending = new Map<string, string[]>();
  private readonly writers = new Map<string, Promise<void>>();
  private readonly open = new Map<string, OpenFile>();
  private readonly ensuredDirs = new Set<string>();
  private readonly failures: unknown[] = [];
  private syncTimer: NodeJS.Timeout | undefined;

  constructor(private readonly onTornTail: TornTailListener = () => undefined) {}

  /** Queues `line` for `file`; resolves when it is written (not necessarily fsynced). */
  append(file: string, line: string): Promise<void> {
    const list = this.pending.get(file) ?? [];
    list.push(line.endsWith("\n") ? line : `${line}\n`);
    this.pending.set(file, list);
    return this.kick(file);
  }

  /**
   * Writes and fsyncs everything queued. Rejects with the first fsync failure since the last flush
   * (a failed write rejects its own `append`).
   */
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
      const lines = (this.pending.get(file) as string[]).splice(0);
      try {
        const f = await this.handleFor(file);
        const head = f.size === 0 ? f.codec.prefix : "";
        await this.writeAll(f, Buffer.from(head + lines.map((l) => f.codec.encode(l)).join(""), "utf8"));
        f.dirty = true;
        this.scheduleSync();
      } catch (err) {
        this.pending.delete(file);
        throw storageError("transcripts", `appending to ${file}`, err);
      }
    }
    this.pending.delete(file);
  }

  /** Writes every byte or none: a short or failed write is truncated back to the last complete line. */
  private async writeAll(f: OpenFile, buf: Buffer): Promise<void> {
    let done = 0;
    try {
      while (done < buf.length) done += (await f.handle.write(buf, done, buf.length - done)).bytesWritten;
      f.size += buf.length;
    } catch (err) {
      if (done > 0) await f.handle.truncate(f.size).catch(() => this.forget(f));
      throw err;
    }
  }

  /** Drops a handle whose tail could not be cut back; the next open repairs the file. */
  private forget(f: OpenFile): void {
    for (const [file, o] of this.open)
      if (o === f) {
        this.open.delete(file);
        void f.handle.close().catch(() => undefined);
      }
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
    const repaired = await repairTornTail(file);
    if (repaired.droppedBytes > 0) this.onTornTail(file, repaired.droppedBytes);
    let size = repaired.size;
    let found = appendCodec(file, await firstLine(file, size));
    if (found.mismatch) {
      await conformFile(file, (f, data, mode) => writeFileAtomic(f, data, mode, { privateDir: false }));
      size = (await fsp.stat(file)).size;
      found = appendCodec(file, await firstLine(file, size));
    }
    const { codec } = found;
    const handle = await fsp.open(file, fsc.O_WRONLY | fsc.O_CREAT | fsc.O_APPEND | fsc.O_NOFOLLOW, STATE_FILE_MODE);
    const f: OpenFile = { handle, codec, dirty: false, size };
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
        await f.handle
          .sync()
          .catch((err: unknown) => this.failures.push(storageError("transcripts", "syncing transcripts", err)));
      }),
    );
  }
}

/** The first line of `file` (without its newline), or `undefined` when the file is empty. */
async function firstLine(file: string, size: number): Promise<string | undefined> {
  if (size === 0) return undefined;
  const handle = await fsp.open(file, fsc.O_RDONLY | fsc.O_NOFOLLOW);
  try {
    const buf = Buffer.alloc(Math.min(size, 4096));
    const { bytesRead } = await handle.read(buf, 0, buf.length, 0);
    const text = buf.subarray(0, bytesRead).toString("latin1");
    const end = text.indexOf("\n");
    return end < 0 ? text : text.slice(0, end);
  } finally {
    await handle.close();
  }
}
