import fs from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import { HoldfastError } from "../errors/index.js";
import { cliHint, STATE_FILE_MODE } from "../infra/index.js";

/** File name of the lock, directly under the state dir. */
export const INSTANCE_LOCK_FILE = "gateway.lock";

/** A held instance lock; {@link release} is idempotent. */
export interface InstanceLock {
  readonly file: string;
  release(): void;
}

/**
 * Takes the one-gateway-per-state-dir lock: `<stateDir>/gateway.lock` (mode 600), held as an exclusive
 * SQLite lock (a POSIX advisory lock the kernel drops when the process dies, so a kill -9 never leaves
 * a stale lock behind). A second gateway on the same state dir that got past the port check — two
 * started at the same moment, or one on another port — stops here, before it recovers runs, sweeps
 * retention or overwrites `gateway.pid`.
 *
 * @throws HoldfastError `HF_GATEWAY_RUNNING` when another process holds the lock; `HF_STATE_IO` when
 *   the lock file cannot be created (or is not a regular file).
 */
export function acquireInstanceLock(stateDir: string): InstanceLock {
  const file = path.join(stateDir, INSTANCE_LOCK_FILE);
  createPrivate(file);
  const db = new Database(file, { timeout: 0 });
  try {
    db.pragma("locking_mode = EXCLUSIVE");
    db.exec("BEGIN EXCLUSIVE");
  } catch (err) {
    db.close();
    const code = (err as { code?: unknown }).code;
    if (code === "SQLITE_BUSY" || code === "SQLITE_LOCKED")
      throw new HoldfastError(
        "HF_GATEWAY_RUNNING",
        `Another holdfast gateway is running on the state dir ${stateDir} (it holds ${file}). Stop it with ${cliHint("gateway stop")}, or give this one its own state dir (HOLDFAST_STATE_DIR).`,
        { file },
      );
    throw new HoldfastError("HF_STATE_IO", `cannot lock ${file}: ${(err as Error).message}`, { file }, { cause: err });
  }
  let held = true;
  return {
    file,
    release() {
      if (!held) return;
      held = false;
      db.close();
    },
  };
}

function createPrivate(file: string): void {
  let fd: number;
  try {
    fd = fs.openSync(file, fs.constants.O_RDWR | fs.constants.O_CREAT | fs.constants.O_NOFOLLOW, STATE_FILE_MODE);
  } catch (err) {
    throw new HoldfastError(
      "HF_STATE_IO",
      `cannot create ${file}: ${(err as Error).message}`,
      { file },
      { cause: err },
    );
  }
  try {
    if (!fs.fstatSync(fd).isFile()) throw new HoldfastError("HF_STATE_IO", `${file} is not a regular file`, { file });
    fs.fchmodSync(fd, STATE_FILE_MODE);
  } finally {
    fs.closeSync(fd);
  }
}
