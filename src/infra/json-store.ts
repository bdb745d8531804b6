import { EventEmitter } from "node:events";
import { promises as fsp } from "node:fs";
import path from "node:path";
import lockfile from "proper-lockfile";
import { HoldfastError } from "../errors/index.js";
import { ensurePrivateDir, readFileIfExists, writeJsonAtomic } from "./fs-atomic.js";

/** A state file that did not hold valid content and was moved aside. */
export interface CorruptStateFile {
  readonly file: string;
  /** `<file>.corrupt.<ts>`, or undefined when another process moved it first. */
  readonly movedTo?: string;
  readonly problem: string;
}

/**
 * Emits `corrupt` ({@link CorruptStateFile}) whenever a {@link JsonFileStore} moves a bad file aside.
 * The gateway forwards these to its storage health (loud log line, status, doctor).
 */
export const stateFileEvents = new EventEmitter<{ corrupt: [CorruptStateFile] }>();

/** In-process queues per file: updates from one process wait here instead of polling the file lock. */
const localQueues = new Map<string, Promise<unknown>>();

/**
 * A JSON state file (mode 600) that is safe under concurrent writers in several processes (the
 * gateway and CLI commands): every update takes an advisory lock (proper-lockfile, stale after 30 s),
 * re-reads the file, applies the change and writes it atomically.
 *
 * `parse` turns raw JSON into the typed value and throws on a wrong shape; `empty` is the value used
 * when the file does not exist.
 */
export class JsonFileStore<T> {
  constructor(
    readonly file: string,
    private readonly parse: (raw: unknown) => T,
    private readonly empty: () => T,
  ) {}

  /**
   * Reads the current value (no lock: writes are atomic renames, so a read is never torn). A file
   * that is not JSON of the expected shape is moved aside as `<file>.corrupt.<ts>` (reported through
   * {@link stateFileEvents}) and the store starts empty, so one damaged file never takes the gateway
   * down.
   * @throws HoldfastError HF_STATE_IO when the file cannot be read or moved aside.
   */
  async read(): Promise<T> {
    const text = await readFileIfExists(this.file);
    if (text === undefined) return this.empty();
    try {
      return this.parse(JSON.parse(text));
    } catch (err) {
      await this.quarantine((err as Error).message);
      return this.empty();
    }
  }

  private async quarantine(problem: string): Promise<void> {
    const movedTo = `${this.file}.corrupt.${Date.now()}`;
    try {
      await fsp.rename(this.file, movedTo);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "ENOENT")
        throw new HoldfastError(
          "HF_STATE_IO",
          `cannot move aside the corrupt ${this.file}`,
          { path: this.file },
          { cause: err },
        );
      stateFileEvents.emit("corrupt", { file: this.file, problem });
      return;
    }
    stateFileEvents.emit("corrupt", { file: this.file, movedTo, problem: `not valid: ${problem}` });
  }

  /**
   * Locks, reads, applies `change` (which returns the new value and a result) and writes atomically.
   * When `change` returns `write: false` nothing is written.
   */
  update<R>(
    change: (
      current: T,
    ) => { value: T; result: R; write?: boolean } | Promise<{ value: T; result: R; write?: boolean }>,
  ): Promise<R> {
    const prev = localQueues.get(this.file) ?? Promise.resolve();
    const next = prev.then(
      () => this.lockedUpdate(change),
      () => this.lockedUpdate(change),
    );
    const tail = next.catch(() => undefined);
    localQueues.set(this.file, tail);
    void tail.then(() => {
      if (localQueues.get(this.file) === tail) localQueues.delete(this.file);
    });
    return next;
  }

  private async lockedUpdate<R>(
    change: (
      current: T,
    ) => { value: T; result: R; write?: boolean } | Promise<{ value: T; result: R; write?: boolean }>,
  ): Promise<R> {
    await ensurePrivateDir(path.dirname(this.file));
    const release = await this.lock();
    try {
      const current = await this.read();
      const { value, result, write = true } = await change(current);
      if (write) await writeJsonAtomic(this.file, value);
      return result;
    } finally {
      await release().catch(() => undefined);
    }
  }

  /** Modification time in ms, or 0 when missing; lets callers cache reads. */
  async mtimeMs(): Promise<number> {
    try {
      return (await fsp.stat(this.file)).mtimeMs;
    } catch {
      return 0;
    }
  }

  private async lock(): Promise<() => Promise<void>> {
    try {
      return await lockfile.lock(this.file, {
        realpath: false,
        stale: 30_000,
        retries: { retries: 50, minTimeout: 10, maxTimeout: 200, factor: 1.5 },
        lockfilePath: `${this.file}.lock`,
        // The default throws from a timer (an uncaught exception) when the lock's mtime cannot be
        // refreshed; a lost lock only weakens exclusion for this one update.
        onCompromised: () => undefined,
      });
    } catch (err) {
      throw new HoldfastError("HF_STATE_IO", `cannot lock ${this.file}`, { path: this.file }, { cause: err });
    }
  }
}
