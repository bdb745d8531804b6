import { HoldfastError, isHoldfastError, type ErrorCode } from "../errors/index.js";
import { cliHint } from "../infra/index.js";

/** Why a storage operation failed, in words a user can act on. */
export type StorageCause = "disk_full" | "fd_limit" | "busy" | "read_only" | "corrupt" | "io";

/** A classified storage failure: catalogue code, cause, and the low-level code seen (`ENOSPC`, `SQLITE_FULL`). */
export interface StorageFault {
  readonly code: ErrorCode;
  readonly cause: StorageCause;
  /** errno or SQLite result code of the innermost error, when it had one. */
  readonly sysCode?: string;
}

const BY_SYS_CODE: Record<string, StorageCause> = {
  ENOSPC: "disk_full",
  EDQUOT: "disk_full",
  EFBIG: "disk_full",
  SQLITE_FULL: "disk_full",
  EMFILE: "fd_limit",
  ENFILE: "fd_limit",
  SQLITE_BUSY: "busy",
  SQLITE_LOCKED: "busy",
  EROFS: "read_only",
  SQLITE_READONLY: "read_only",
  SQLITE_CORRUPT: "corrupt",
  SQLITE_NOTADB: "corrupt",
};

const CODE_OF: Record<StorageCause, ErrorCode> = {
  disk_full: "HF_STATE_DISK_FULL",
  fd_limit: "HF_STATE_FD_LIMIT",
  busy: "HF_STATE_BUSY",
  read_only: "HF_STATE_IO",
  corrupt: "HF_STATE_CORRUPT",
  io: "HF_STATE_IO",
};

const BY_CODE: Partial<Record<ErrorCode, StorageCause>> = {
  HF_STATE_DISK_FULL: "disk_full",
  HF_STATE_FD_LIMIT: "fd_limit",
  HF_STATE_BUSY: "busy",
  HF_STATE_CORRUPT: "corrupt",
};

const HINT: Record<StorageCause, string> = {
  disk_full: "the disk is full; free space and it recovers by itself",
  fd_limit: "too many open files; raise the open-file limit (ulimit -n) or close idle connections",
  busy: "the state database is locked by another process; retry shortly",
  read_only: "the state directory is read-only",
  corrupt: `the file is corrupt; run ${cliHint("doctor")}`,
  io: "an I/O error occurred; check the disk",
};

/** Low-level code of `err` or of the first error in its `cause` chain that has one. */
function sysCodeOf(err: unknown): string | undefined {
  let cur: unknown = err;
  for (let depth = 0; depth < 8 && cur !== null && typeof cur === "object"; depth++) {
    const code = (cur as { code?: unknown }).code;
    if (typeof code === "string" && !code.startsWith("HF_")) return code;
    cur = (cur as { cause?: unknown }).cause;
  }
  return undefined;
}

/**
 * Classifies any storage failure (Node fs errno errors, better-sqlite3 `SqliteError`s, or a
 * HoldfastError wrapping one). SQLite extended codes (`SQLITE_IOERR_WRITE`, `SQLITE_CORRUPT_VTAB`) map
 * by their primary code; anything unknown is `io`.
 */
export function classifyStorageError(err: unknown): StorageFault {
  const sys = sysCodeOf(err);
  if (sys !== undefined) {
    const primary = sys.startsWith("SQLITE_") ? sys.split("_").slice(0, 2).join("_") : sys;
    const cause = BY_SYS_CODE[sys] ?? BY_SYS_CODE[primary] ?? "io";
    return { code: CODE_OF[cause], cause, sysCode: sys };
  }
  if (isHoldfastError(err)) {
    const cause = BY_CODE[err.code] ?? "io";
    return { code: CODE_OF[cause], cause };
  }
  return { code: "HF_STATE_IO", cause: "io" };
}

/** The user-facing hint for a cause (what to do about it). */
export function storageHint(cause: StorageCause): string {
  return HINT[cause];
}

/**
 * Wraps a storage failure into the catalogued HoldfastError the caller sees:
 * `"<what> failed: <hint> (<sysCode>)"`, details `{store, cause, sysCode}`. A HoldfastError that is
 * already a storage error is returned as is.
 * @param store short store name (`state-db`, `transcript`, `devices`...)
 * @param what the operation, e.g. `"saving the message"`
 */
export function storageError(store: string, what: string, err: unknown): HoldfastError {
  if (isHoldfastError(err) && err.details?.["store"] !== undefined) return err;
  const fault = classifyStorageError(err);
  if (fault.sysCode === undefined && isHoldfastError(err) && err.code.startsWith("HF_STATE_"))
    return new HoldfastError(
      fault.code,
      `${what} failed: ${err.message}`,
      { store, cause: fault.cause },
      { cause: err },
    );
  const sys = fault.sysCode ? ` (${fault.sysCode})` : "";
  return new HoldfastError(
    fault.code,
    `${what} failed: ${storageHint(fault.cause)}${sys}`,
    { store, cause: fault.cause, ...(fault.sysCode ? { sysCode: fault.sysCode } : {}) },
    { cause: err },
  );
}

/** True for failures that a storage fault explains (as opposed to programming errors). */
export function isStorageFault(err: unknown): boolean {
  if (isHoldfastError(err)) return err.code.startsWith("HF_STATE_");
  const sys = sysCodeOf(err);
  return sys !== undefined && (sys.startsWith("SQLITE_") || sys in BY_SYS_CODE || sys === "EIO" || sys === "EACCES");
}
