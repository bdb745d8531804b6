import { closeSync, fsync, fsyncSync, openSync } from "node:fs";
import path from "node:path";

/**
 * fsyncs a SQLite database's write-ahead log off the main thread, for commits made with
 * `synchronous=NORMAL` (in the log, not yet on the disk): {@link durable} resolves once an fsync of
 * the `-wal` file that started after the call has completed, so everything committed before the call
 * is on the disk, as a `synchronous=FULL` commit would have it, without blocking the event loop for
 * the disk's flush (0.1–0.3 ms each on an SSD). Calls while an fsync is in flight share the next one,
 * so N commits of one busy moment cost two fsyncs at most, not N.
 *
 * The `-wal` file is opened on the first call (a commit has created it), and its directory is fsynced
 * once then, so the file's own entry is durable too (SQLite's own first sync of a new log does the
 * same). An fsync of any descriptor of a file flushes all of that file's written data (Linux).
 */
export class LogSync {
  private fd: number | undefined;
  private inFlight: Promise<void> | undefined;
  private next: Promise<void> | undefined;
  private closed = false;

  /** @param dbFile the database file; its log is `<dbFile>-wal`. */
  constructor(private readonly dbFile: string) {}

  /**
   * Resolves when what was committed before this call is on the disk. After {@link close} it resolves
   * at once (closing checkpoints the log into the database file, which SQLite fsyncs).
   * @throws (rejects with) the fsync's or open's errno error (EIO, ENOSPC, ...)
   */
  durable(): Promise<void> {
    if (this.closed && !this.inFlight) return Promise.resolve();
    if (!this.inFlight) return (this.inFlight = this.flush().finally(() => (this.inFlight = undefined)));
    // The fsync in flight may have started before the caller's commit: wait for the one after it.
    this.next ??= this.inFlight
      .catch(() => undefined)
      .then(() => {
        this.next = undefined;
        return this.durable();
      });
    return this.next;
  }

  /** Closes the descriptor once no fsync is in flight. Idempotent. */
  close(): void {
    this.closed = true;
    const fd = this.fd;
    this.fd = undefined;
    if (fd === undefined) return;
    if (this.inFlight) void this.inFlight.catch(() => undefined).finally(() => closeSync(fd));
    else closeSync(fd);
  }

  private flush(): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      let fd: number | undefined;
      try {
        fd = this.open();
      } catch (err) {
        return reject(err);
      }
      if (fd === undefined) return resolve();
      fsync(fd, (err) => (err ? reject(err) : resolve()));
    });
  }

  /** The log's descriptor; undefined once closed. */
  private open(): number | undefined {
    if (this.fd !== undefined || this.closed) return this.fd;
    const fd = openSync(`${this.dbFile}-wal`, "r");
    const dir = openSync(path.dirname(this.dbFile), "r");
    try {
      fsyncSync(dir);
    } finally {
      closeSync(dir);
    }
    return (this.fd = fd);
  }
}
