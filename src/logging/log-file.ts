import {
  closeSync,
  readdirSync,
  rmSync,
  constants as fsc,
  fstatSync,
  lstatSync,
  mkdirSync,
  chmodSync,
  openSync,
  renameSync,
  writeSync,
} from "node:fs";
import path from "node:path";
import { HoldfastError } from "../errors/index.js";

/**
 * The default directory of the gateway log: `<stateDir>/logs` (700, inside the 700 state dir), so logs
 * never mix between users or between gateways with their own state dirs, and a second Unix user is
 * never locked out by someone else's directory. (The reference's shared `/tmp/openclaw` is a weak
 * default; `logging.file` still puts the log anywhere.)
 */
export function defaultLogDir(stateDir: string): string {
  return path.join(stateDir, "logs");
}
/** Size at which a log file is rotated (bytes). Source: reference §1.7. */
export const DEFAULT_MAX_FILE_BYTES = 100 * 1024 * 1024;
/** Rotated files kept (`<file>.1` … `<file>.5`). Source: reference §1.7. */
export const ROTATED_FILES_KEPT = 5;
/**
 * Days of log kept by default (`logging.maxFiles`): a week. For the dated default it is the number of
 * daily files; for a configured `logging.file`, the age (in UTC days) past which its archives go.
 */
export const DEFAULT_MAX_FILES = 7;

const DAY_MS = 86_400_000;
const utcDay = (t: Date) => t.toISOString().slice(0, 10);

const DATED = /^holdfast-(\d{4}-\d{2}-\d{2})\.log(?:\.\d+)?$/;

/** The dated default log file of a day: `<dir>/holdfast-YYYY-MM-DD.log` (UTC date). */
export function datedLogFile(now: Date, dir: string): string {
  return path.join(dir, `holdfast-${now.toISOString().slice(0, 10)}.log`);
}

/** Where log lines go: a fixed file (`logging.file`) or the dated default. */
export type LogFileOptions = {
  readonly maxFileBytes?: number;
  /**
   * Days kept (`logging.maxFiles`, default {@link DEFAULT_MAX_FILES}): the newest that many dated files,
   * or, for `file`, the archives whose last line was written in the newest that many UTC days.
   */
  readonly maxFiles?: number;
  readonly now?: () => Date;
} & (
  | {
      /** `logging.file`: one file, rotated by size and at the change of UTC day. */
      readonly file: string;
    }
  | {
      readonly file?: undefined;
      /** Directory of the dated files (a new file each UTC day), normally {@link defaultLogDir}. */
      readonly dir: string;
    }
);

/**
 * A synchronous, append-only log file: mode 600, opened without following symlinks, owner checked.
 * Directories it creates are 700 (the default directory is tightened to 700 if it exists looser).
 * Rotates at `maxFileBytes` and at the change of UTC day, and keeps `maxFiles` days (default 7):
 * - the dated default starts a new `holdfast-YYYY-MM-DD.log` each day; older days' files and their
 *   rotations are deleted when a day's file is opened;
 * - a configured `logging.file` moves to `<file>.1` (… `<file>.5`, reference §1.7) at `maxFileBytes`
 *   and on the first line of a new day (also after a restart); when it is opened, archives whose last
 *   line is older than the newest `maxFiles` days are deleted. A file another process already rotated
 *   (a shared `logging.file`) is reopened, not rotated again.
 * @throws HoldfastError HF_LOG_FILE_INSECURE when the directory or file is a symlink or belongs to
 *   another user (someone else could read the log).
 */
export class LogFile {
  private fd: number | undefined;
  private current = "";
  private size = 0;
  /** UTC day of the last line in the current file (undefined while it is empty). */
  private day: string | undefined;
  private readonly now: () => Date;

  constructor(private readonly opts: LogFileOptions) {
    this.now = opts.now ?? (() => new Date());
    this.open(this.target());
  }

  /** Path of the file being written. */
  get file(): string {
    return this.current;
  }

  write(line: string): void {
    const now = this.now();
    const today = utcDay(now);
    const target = this.target(now);
    const bytes = Buffer.byteLength(line);
    if (target !== this.current) this.reopen(target, false);
    else if (this.size > 0 && this.size + bytes > (this.opts.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES))
      this.reopen(target, true);
    else if (this.opts.file !== undefined && this.size > 0 && this.day !== today) this.reopen(target, true);
    writeSync(this.fd as number, line);
    this.size += bytes;
    this.day = today;
  }

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }

  private target(now: Date = this.now()): string {
    const o = this.opts;
    return o.file !== undefined ? path.resolve(o.file) : datedLogFile(now, o.dir);
  }

  private reopen(target: string, rotate: boolean): void {
    const rotatedByOther = rotate && this.fd !== undefined && !sameFile(this.fd, target);
    this.close();
    if (rotate && !rotatedByOther) rotateFiles(target);
    this.open(target);
  }

  private open(file: string): void {
    const o = this.opts;
    const keep = o.maxFiles ?? DEFAULT_MAX_FILES;
    assertLogDir(path.dirname(file), o.file === undefined);
    if (o.file === undefined) pruneDated(o.dir, keep, path.basename(file));
    else pruneArchives(file, keep, this.now());
    let fd: number;
    try {
      fd = openSync(file, fsc.O_WRONLY | fsc.O_APPEND | fsc.O_CREAT | fsc.O_NOFOLLOW, 0o600);
    } catch (err) {
      throw new HoldfastError(
        "HF_LOG_FILE_INSECURE",
        `cannot open log file ${file} (${(err as NodeJS.ErrnoException).code ?? "error"}); set logging.file to a private path`,
        { path: file },
        { cause: err },
      );
    }
    const st = fstatSync(fd);
    if (!st.isFile() || !ownedByMe(st.uid)) {
      closeSync(fd);
      throw new HoldfastError(
        "HF_LOG_FILE_INSECURE",
        `log file ${file} is not a regular file owned by this user; set logging.file to a private path`,
        { path: file },
      );
    }
    if ((st.mode & 0o077) !== 0) chmodSync(file, 0o600);
    this.fd = fd;
    this.current = file;
    this.size = st.size;
    this.day = st.size > 0 ? utcDay(st.mtime) : undefined;
  }
}

/** Whether `file` is still the file open at `fd` (false when it was renamed away or is gone). */
function sameFile(fd: number, file: string): boolean {
  const open = fstatSync(fd);
  const there = lstatSync(file, { throwIfNoEntry: false });
  return there !== undefined && there.ino === open.ino && there.dev === open.dev;
}

function ownedByMe(uid: number): boolean {
  const me = process.getuid?.();
  return me === undefined || uid === me;
}

/**
 * Checks that a log file can be kept private at `file` (the gateway's start precondition), without
 * creating or changing anything: its directory, when it exists, is a real directory of this user (or
 * root's, for a configured file), and the file, when it exists, is a regular file of this user.
 * @throws HoldfastError HF_LOG_FILE_INSECURE.
 */
export function checkLogTarget(file: string, isDefaultDir: boolean): void {
  const dir = path.dirname(path.resolve(file));
  if (lstatSync(dir, { throwIfNoEntry: false })) checkDir(dir, isDefaultDir);
  const st = lstatSync(file, { throwIfNoEntry: false });
  if (st && (!st.isFile() || !ownedByMe(st.uid)))
    throw new HoldfastError(
      "HF_LOG_FILE_INSECURE",
      `log file ${file} is not a regular file owned by this user; set logging.file to a private path`,
      { path: file },
    );
}

function assertLogDir(dir: string, isDefaultDir: boolean): void {
  const existed = lstatSync(dir, { throwIfNoEntry: false });
  if (!existed) mkdirSync(dir, { recursive: true, mode: 0o700 });
  const st = checkDir(dir, isDefaultDir);
  if ((!existed || isDefaultDir) && (st.mode & 0o077) !== 0) chmodSync(dir, 0o700);
}

function checkDir(dir: string, isDefaultDir: boolean): { mode: number } {
  const st = lstatSync(dir);
  if (st.isSymbolicLink() || !st.isDirectory())
    throw new HoldfastError(
      "HF_LOG_FILE_INSECURE",
      `log directory ${dir} is a symlink or not a directory; set logging.file to a private path`,
      { path: dir },
    );
  if (!ownedByMe(st.uid) && (isDefaultDir || st.uid !== 0))
    throw new HoldfastError(
      "HF_LOG_FILE_INSECURE",
      `log directory ${dir} belongs to another user (uid ${st.uid}); set logging.file to a private path`,
      { path: dir },
    );
  return st;
}

/** Deletes dated files (and their rotations) of all but the newest `keep` days, counting `current`'s day. */
function pruneDated(dir: string, keep: number, current: string): void {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return;
  }
  const days = new Set([current, ...names].map((n) => DATED.exec(n)?.[1]).filter((d): d is string => d !== undefined));
  const kept = new Set([...days].sort().reverse().slice(0, Math.max(1, keep)));
  for (const n of names) {
    const day = DATED.exec(n)?.[1];
    if (day && !kept.has(day)) rmSync(path.join(dir, n), { force: true });
  }
}

/** Deletes `<file>.N` archives last written before the newest `keepDays` UTC days (counting `now`'s). */
function pruneArchives(file: string, keepDays: number, now: Date): void {
  const dir = path.dirname(file);
  const base = path.basename(file);
  const cutoff = Date.parse(utcDay(now)) - (Math.max(1, keepDays) - 1) * DAY_MS;
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return;
  }
  for (const n of names) {
    if (!n.startsWith(`${base}.`) || !/^\d+$/.test(n.slice(base.length + 1))) continue;
    const st = lstatSync(path.join(dir, n), { throwIfNoEntry: false });
    if (st?.isFile() && st.mtimeMs < cutoff) rmSync(path.join(dir, n), { force: true });
  }
}

function rotateFiles(file: string): void {
  for (let i = ROTATED_FILES_KEPT - 1; i >= 1; i--) tryRename(`${file}.${i}`, `${file}.${i + 1}`);
  tryRename(file, `${file}.1`);
}

function tryRename(from: string, to: string): void {
  try {
    renameSync(from, to);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
  }
}
