import { closeSync, mkdirSync, openSync, statSync, chmodSync } from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import { HoldfastError } from "../errors/index.js";
import { STATE_DIR_MODE, STATE_FILE_MODE, cliHint } from "../infra/index.js";
import type { Logger } from "../logging/index.js";
import type { StorageHealth } from "./health.js";
import { LogSync } from "./log-sync.js";
import { moveAsideSync } from "./quarantine.js";
import { MIGRATIONS } from "./schema.js";
import { cacheStatements } from "./statement-cache.js";
import { classifyStorageError, storageError } from "./storage-error.js";

/** The raw better-sqlite3 handle (only the store's own modules use it). */
export type SqliteDatabase = Database.Database;

/** Options of {@link StateDb.open}. */
export interface StateDbOptions {
  /** Database file, normally `<stateDir>/state/holdfast.sqlite` (created 600 in a 700 directory). */
  readonly file: string;
  readonly log: Logger;
  readonly health: StorageHealth;
  /** Clock for timestamps in names and rows (ms since the epoch). Default `Date.now`. */
  readonly now?: () => number;
  /** How long a statement waits for another process's write lock (ms). Default 5000. */
  readonly busyTimeoutMs?: number;
  /**
   * What makes a group commit durable. Default a {@link LogSync} of the database's `-wal` file; tests
   * pass one whose fsync fails.
   */
  readonly logSync?: Pick<LogSync, "durable" | "close">;
}

/** Store name used in health conditions and error details. */
export const STATE_DB_STORE = "state-db";

const SQLITE_SIDE_FILES = ["-wal", "-shm"] as const;

/**
 * Upper bound of the connection's page cache, KiB (SQLite's own default, 2 MiB). better-sqlite3
 * builds SQLite with a 16 MiB default, which the cache fills as the database grows: under sustained
 * load that was most of the gateway's resident-memory growth (docs/performance.md). The pages the
 * hot path touches (the right edge of the append-only tables and their indexes, the session index)
 * fit many times over; a miss is a read from the OS page cache.
 */
export const STATE_DB_CACHE_KIB = 2048;

interface GroupedWrite {
  readonly fn: () => unknown;
  /** Takes back what `fn` wrote when the group could not be made durable ({@link StateDb.grouped}). */
  readonly undo: ((db: SqliteDatabase, value: unknown) => void) | undefined;
  readonly resolve: (value: unknown) => void;
  readonly reject: (err: unknown) => void;
}

/**
 * The embedded SQLite database holding the session index, the idempotency ledger and the channel
 * queues. WAL journal with `synchronous=FULL`: a commit has been fsynced when it returns, so an ack
 * given after a commit survives kill -9 and power loss ({@link grouped} commits get there by an fsync
 * of the log off the main thread before they resolve). Other processes (CLI commands) open the same
 * file; SQLite's own locking serializes writers (no lock files of holdfast's).
 *
 * Opening validates the file (`PRAGMA quick_check`). A corrupt or foreign file is moved aside as
 * `<file>.corrupt.<ts>` (with its `-wal`/`-shm`), reported to {@link StorageHealth}, and replaced by a
 * new empty database ({@link recreated} is then true, so callers rebuild what they can, such as the
 * session index from transcripts).
 *
 * Every statement runs through {@link run} or {@link tx}: a failure (disk full, I/O error, busy) is
 * reported to health and thrown as a catalogued HoldfastError (`HF_STATE_DISK_FULL`, ...); the next
 * success clears the condition.
 */
export class StateDb {
  /** One transaction function for every {@link tx} (better-sqlite3 nests it as a savepoint). */
  private readonly inTx: (fn: () => unknown) => unknown;
  /** Writes waiting for the next group commit ({@link grouped}). */
  private group: GroupedWrite[] = [];
  /** fsyncs of the log for group commits, off the main thread. */
  private readonly logSync: Pick<LogSync, "durable" | "close">;

  private constructor(
    readonly file: string,
    private readonly db: SqliteDatabase,
    private readonly opts: StateDbOptions,
    /** True when a corrupt database was moved aside and this one was created empty. */
    readonly recreated: boolean,
  ) {
    this.inTx = db.transaction((fn: () => unknown) => fn());
    this.logSync = opts.logSync ?? new LogSync(file);
  }

  /**
   * Opens (creating if needed), validates and migrates the database.
   * @throws HoldfastError HF_STATE_DISK_FULL / HF_STATE_FD_LIMIT / HF_STATE_IO when the file cannot be
   *   created or written at all (start-up must then fail before the gateway listens).
   */
  static open(opts: StateDbOptions): StateDb {
    const now = opts.now ?? Date.now;
    try {
      mkdirSync(path.dirname(opts.file), { recursive: true, mode: STATE_DIR_MODE });
      tighten(path.dirname(opts.file), STATE_DIR_MODE);
      closeSync(openSync(opts.file, "a", STATE_FILE_MODE));
      tighten(opts.file, STATE_FILE_MODE);
    } catch (err) {
      throw storageError(STATE_DB_STORE, `creating ${opts.file}`, err);
    }
    let db: SqliteDatabase | undefined;
    try {
      db = connect(opts);
      return new StateDb(opts.file, db, opts, false);
    } catch (err) {
      db?.close();
      if (classifyStorageError(err).cause !== "corrupt")
        throw storageError(STATE_DB_STORE, `opening ${opts.file}`, err);
      const ts = now();
      let movedTo: string | undefined;
      try {
        movedTo = moveAsideSync(opts.file, ts);
        for (const side of SQLITE_SIDE_FILES) moveAsideSync(`${opts.file}${side}`, ts);
        closeSync(openSync(opts.file, "a", STATE_FILE_MODE));
        db = connect(opts);
      } catch (again) {
        throw storageError(STATE_DB_STORE, `replacing the corrupt ${opts.file}`, again);
      }
      const state = new StateDb(opts.file, db, opts, true);
      state.reportCorrupt({
        file: opts.file,
        ...(movedTo ? { movedTo } : {}),
        problem: `not a valid SQLite database (${classifyStorageError(err).sysCode ?? (err as Error).message})`,
        fix: `a new empty database was created and the session index is rebuilt from the transcripts; run \`${cliHint("doctor")}\` to review`,
      });
      return state;
    }
  }

  /**
   * Runs `fn` against the database. Success clears a degraded condition; failure is reported and
   * thrown as a storage error.
   * @param what the operation in words (`"saving the message"`), used in the error message
   * @throws HoldfastError HF_STATE_* (never a raw SqliteError)
   */
  run<T>(what: string, fn: (db: SqliteDatabase) => T): T {
    let out: T;
    try {
      out = fn(this.db);
    } catch (err) {
      const e = storageError(STATE_DB_STORE, what, err);
      this.opts.health.fail(STATE_DB_STORE, e);
      throw e;
    }
    this.opts.health.ok(STATE_DB_STORE);
    return out;
  }

  /**
   * SQLite's `PRAGMA data_version` of this connection: it changes when another connection (a CLI
   * command, another process) commits to the database, never for this connection's own commits. A
   * reader caching rows compares it to know whether they may be stale.
   * @throws HoldfastError HF_STATE_* as {@link run}
   */
  dataVersion(): number {
    return this.run("reading the database version", (d) => {
      const row = d.prepare("PRAGMA data_version").get() as { data_version: number };
      return row.data_version;
    });
  }

  /** Whether a transaction (a {@link tx} or a group commit) is open on the connection. */
  get inTransaction(): boolean {
    return this.db.inTransaction;
  }

  /**
   * {@link run} for a write that must survive a crash of the process but may wait for the next
   * durable commit to reach the disk: it commits with `synchronous=NORMAL` (in WAL mode the commit is
   * in the log, which the next `FULL` commit fsyncs with everything before it), then `FULL` again.
   * A kill -9 never loses it; only a power loss or OS crash before the next durable commit can. Used
   * for a run's outcome (its loss only makes an answered run look interrupted) and for writes whose
   * loss a durable record committed before them covers (a channel message admitted from its fsynced
   * inbound queue); never for an ack. Inside a transaction (SQLite refuses to change the sync level
   * there) it runs as part of that transaction, which decides.
   * @throws HoldfastError HF_STATE_* as {@link run}
   */
  runDeferredSync<T>(what: string, fn: (db: SqliteDatabase) => T): T {
    return this.run(what, (db) => {
      if (db.inTransaction) return fn(db);
      db.prepare("PRAGMA synchronous = NORMAL").run();
      try {
        return fn(db);
      } finally {
        db.prepare("PRAGMA synchronous = FULL").run();
      }
    });
  }

  /**
   * {@link runDeferredSync}, then an fsync of the log started at once off the main thread (the
   * {@link LogSync} group commits use, shared with them), which the caller does not wait for: the
   * write is on the disk one flush after the return instead of before it, and the event loop is not
   * blocked for that flush (a `synchronous=FULL` commit on the main thread was 12 % of a Telegram
   * DM's profile). For records whose loss in that window costs no more than the same window just
   * before the write already does: a platform's confirmation of a sent chunk (lost to a power loss,
   * the chunk is sent once more, as when the power fails between the platform's answer and the
   * commit). Everything committed before is fsynced with it. A failed fsync is reported to health
   * (logged, `HF_STATE_*`), as a group commit's is; the write stays in the live database.
   * @throws HoldfastError HF_STATE_* as {@link run} (the commit; never the fsync)
   */
  runSyncedSoon<T>(what: string, fn: (db: SqliteDatabase) => T): T {
    const value = this.runDeferredSync(what, fn);
    this.logSync
      .durable()
      .catch((err: unknown) => this.opts.health.fail(STATE_DB_STORE, storageError(STATE_DB_STORE, what, err)));
    return value;
  }

  /**
   * {@link run} inside one transaction (all of `fn`'s writes commit together, or none). Inside another
   * transaction (a group commit) it is a savepoint: its writes are undone alone when `fn` throws.
   */
  tx<T>(what: string, fn: (db: SqliteDatabase) => T): T {
    return this.run(what, (db) => this.inTx(() => fn(db)) as T);
  }

  /** {@link tx} committed as {@link runDeferredSync} does (in the log at once, fsynced with the next durable commit). */
  txDeferredSync<T>(what: string, fn: (db: SqliteDatabase) => T): T {
    return this.runDeferredSync(what, (db) => this.inTx(() => fn(db)) as T);
  }

  /**
   * Group commit: queues `fn` for one transaction shared with every other write queued before the
   * event loop's next check phase (`setImmediate`: what arrived in the same loop iteration, no timer,
   * so a lone write waits for nothing), and resolves with `fn`'s result once that transaction is
   * committed and on the disk: it commits with `synchronous=NORMAL` and the log is then fsynced off
   * the main thread ({@link LogSync}; a group committed while an fsync is in flight waits for the
   * next one, which covers every group before it), so the event loop serves other clients meanwhile. Each `fn` runs in its own savepoint in queue order and
   * sees the writes of the ones before it: one that throws is undone alone and rejects with its
   * storage error while the others commit. When the commit itself fails, every write of the group
   * rejects and none is kept; when the fsync fails, every write of the group rejects with a storage
   * error, and the `undo` of each write that had succeeded runs (one transaction for the group) so
   * that nothing the caller was refused stays behind in the live database (a refused admission is not
   * left open, to be answered as interrupted to a retry or restored to its transcript at the next
   * start). An undo that fails is logged; what it should have taken back then stays.
   * Used for acknowledged writes (a `chat.send`'s admission): N of them arriving together cost one
   * fsync instead of N, and no fsync blocks the event loop.
   * @throws (rejects with) HoldfastError HF_STATE_* as {@link run}
   */
  grouped<T>(what: string, fn: (db: SqliteDatabase) => T, undo?: (db: SqliteDatabase, value: T) => void): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.group.push({
        fn: () => this.tx(what, fn),
        undo: undo as GroupedWrite["undo"],
        resolve: resolve as (v: unknown) => void,
        reject,
      });
      if (this.group.length === 1) setImmediate(() => this.commitGroup(what));
    });
  }

  /** Commits the queued {@link grouped} writes in one transaction, then settles them in order. */
  private commitGroup(what: string): void {
    const batch = this.group;
    this.group = [];
    if (batch.length === 0) return;
    const results: { ok: boolean; value: unknown }[] = [];
    try {
      this.runDeferredSync(what, (db) =>
        this.inTx(() => {
          for (const w of batch) {
            try {
              results.push({ ok: true, value: w.fn() });
            } catch (err) {
              // An error that rolled the whole transaction back (SQLITE_FULL, I/O) fails the group.
              if (!db.inTransaction) throw err;
              results.push({ ok: false, value: err });
            }
          }
        }),
      );
    } catch (err) {
      for (const w of batch) w.reject(err);
      return;
    }
    this.logSync.durable().then(
      () =>
        batch.forEach((w, i) => {
          const r = results[i] as { ok: boolean; value: unknown };
          if (r.ok) w.resolve(r.value);
          else w.reject(r.value);
        }),
      (err: unknown) => {
        const e = storageError(STATE_DB_STORE, what, err);
        this.opts.health.fail(STATE_DB_STORE, e);
        this.undoGroup(what, batch, results);
        for (const w of batch) w.reject(e);
      },
    );
  }

  /** Runs the undo of each write of a group that had succeeded (see {@link grouped}). */
  private undoGroup(
    what: string,
    batch: readonly GroupedWrite[],
    results: readonly { ok: boolean; value: unknown }[],
  ): void {
    const undone = batch.flatMap((w, i) =>
      w.undo && results[i]?.ok ? [() => w.undo?.(this.db, results[i]?.value)] : [],
    );
    if (undone.length === 0) return;
    try {
      this.txDeferredSync(`taking back ${what}`, () => undone.forEach((u) => u()));
    } catch (err) {
      this.opts.log.warn(
        { err: (err as Error).message, writes: undone.length },
        "could not take back the writes of a group commit whose fsync failed",
      );
    }
  }

  /** Current time of the store's clock (ms). */
  now(): number {
    return (this.opts.now ?? Date.now)();
  }

  /** Records a corrupt file (this database or another store's) for status and doctor. */
  reportCorrupt(report: { file: string; movedTo?: string; problem: string; fix: string }): void {
    this.opts.health.corruption(report);
    try {
      this.db
        .prepare("INSERT INTO store_issues (file, moved_to, problem, fix, at) VALUES (?, ?, ?, ?, ?)")
        .run(report.file, report.movedTo ?? null, report.problem, report.fix, this.now());
    } catch (err) {
      this.opts.log.warn({ err: (err as Error).message }, "could not record a store issue");
    }
  }

  /** Corrupt files recorded by this and earlier starts, newest first. */
  issues(limit = 50): { file: string; movedTo?: string; problem: string; fix: string; at: number }[] {
    const rows = this.run("reading store issues", (db) =>
      db
        .prepare("SELECT file, moved_to AS movedTo, problem, fix, at FROM store_issues ORDER BY seq DESC LIMIT ?")
        .all(limit),
    ) as { file: string; movedTo: string | null; problem: string; fix: string; at: number }[];
    return rows.map(({ movedTo, ...r }) => (movedTo ? { ...r, movedTo } : r));
  }

  /** Commits the writes still queued for a group commit, checkpoints the WAL and closes. Idempotent. */
  close(): void {
    if (!this.db.open) return;
    this.commitGroup("saving queued writes at close");
    try {
      this.db.pragma("wal_checkpoint(TRUNCATE)");
    } catch (err) {
      this.opts.log.warn({ err: (err as Error).message }, "state database checkpoint failed at close");
    }
    this.db.close();
    this.logSync.close();
  }
}

function connect(opts: StateDbOptions): SqliteDatabase {
  const db = new Database(opts.file, { timeout: opts.busyTimeoutMs ?? 5_000 });
  try {
    const mode = db.pragma("journal_mode = WAL", { simple: true });
    if (mode !== "wal")
      throw new HoldfastError("HF_STATE_IO", `cannot switch ${opts.file} to WAL (journal_mode ${String(mode)})`);
    db.pragma("synchronous = FULL");
    db.pragma("foreign_keys = ON");
    db.pragma("temp_store = MEMORY");
    db.pragma(`cache_size = -${STATE_DB_CACHE_KIB}`);
    const check = db.pragma("quick_check", { simple: true });
    if (check !== "ok") throw new HoldfastError("HF_STATE_CORRUPT", `quick_check: ${String(check).slice(0, 200)}`);
    migrate(db);
    cacheStatements(db);
    return db;
  } catch (err) {
    db.close();
    throw err;
  }
}

function migrate(db: SqliteDatabase): void {
  const version = db.pragma("user_version", { simple: true }) as number;
  if (version > MIGRATIONS.length)
    throw new HoldfastError(
      "HF_STATE_IO",
      `state database schema version ${version} is newer than this holdfast (${MIGRATIONS.length}); upgrade holdfast`,
    );
  for (let v = version; v < MIGRATIONS.length; v++) {
    db.transaction(() => {
      db.exec(MIGRATIONS[v] as string);
      db.pragma(`user_version = ${v + 1}`);
    })();
  }
}

function tighten(p: string, mode: number): void {
  if ((statSync(p).mode & 0o777 & ~mode) !== 0) chmodSync(p, mode);
}
