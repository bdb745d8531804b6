import {
  closeSync,
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

/** Default directory of the gateway log. Source: seeds security-architecture.md "Log Locations". */
export const DEFAULT_LOG_DIR = "/tmp/holdfast";
/** Size at which a log file is rotated (bytes). Source: reference §1.7. */
export const DEFAULT_MAX_FILE_BYTES = 100 * 1024 * 1024;
/** Rotated files kept (`<file>.1` … `<file>.5`). */
export const ROTATED_FILES_KEPT = 5;

/** The dated default log file of a day: `<dir>/holdfast-YYYY-MM-DD.log` (UTC date). */
export function datedLogFile(now: Date, dir = DEFAULT_LOG_DIR): string {
  return path.join(dir, `holdfast-${now.toISOString().slice(0, 10)}.log`);
}

/** Where log lines go: a fixed file (`logging.file`) or the dated default. */
export interface LogFileOptions {
  /** `logging.file`; when absent the dated file in {@link DEFAULT_LOG_DIR} (a new file each day). */
  readonly file?: string;
  /** Directory of the dated default (tests). Default {@link DEFAULT_LOG_DIR}. */
  readonly dir?: string;
  readonly maxFileBytes?: number;
  readonly now?: () => Date;
}

/**
 * A synchronous, append-only log file: mode 600, opened without following symlinks, owner checked.
 * Directories it creates are 700 (the default directory is tightened to 700 if it exists looser).
 * Rotates at `maxFileBytes` and, for the dated default, at the change of day.
 * @throws HoldfastError HF_LOG_FILE_INSECURE when the directory or file is a symlink or belongs to
 *   another user (someone else could read the log).
 */
export class LogFile {
  private fd: number | undefined;
  private current = "";
  private size = 0;
  private readonly now: () => Date;

  constructor(private readonly opts: LogFileOptions = {}) {
    this.now = opts.now ?? (() => new Date());
    this.open(this.target());
  }

  /** Path of the file being written. */
  get file(): string {
    return this.current;
  }

  write(line: string): void {
    const target = this.target();
    const bytes = Buffer.byteLength(line);
    if (target !== this.current) this.reopen(target, false);
    else if (this.size > 0 && this.size + bytes > (this.opts.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES))
      this.reopen(target, true);
    writeSync(this.fd as number, line);
    this.size += bytes;
  }

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }

  private target(): string {
    return this.opts.file ? path.resolve(this.opts.file) : datedLogFile(this.now(), this.opts.dir);
  }

  private reopen(target: string, rotate: boolean): void {
    this.close();
    if (rotate) rotateFiles(target);
    this.open(target);
  }

  private open(file: string): void {
    secureDir(path.dirname(file), !this.opts.file);
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
  }
}

function ownedByMe(uid: number): boolean {
  const me = process.getuid?.();
  return me === undefined || uid === me;
}

function secureDir(dir: string, isDefaultDir: boolean): void {
  const existed = lstatSync(dir, { throwIfNoEntry: false });
  if (!existed) mkdirSync(dir, { recursive: true, mode: 0o700 });
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
  if ((!existed || isDefaultDir) && (st.mode & 0o077) !== 0) chmodSync(dir, 0o700);
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
