import { promises as fsp } from "node:fs";
import path from "node:path";
import { ensurePrivateDir, writeFileAtomic } from "../infra/index.js";
import { storageError } from "./storage-error.js";

/**
 * Start-up check that every state directory can take a write (created 700 if missing): an atomic
 * write of a small probe file, then its removal. Lets the gateway refuse to start — before it
 * listens — on a full or read-only disk instead of failing on the first message.
 * @throws HoldfastError HF_STATE_DISK_FULL / HF_STATE_FD_LIMIT / HF_STATE_IO naming the directory
 */
export async function assertWritable(dirs: readonly string[]): Promise<void> {
  for (const dir of dirs) {
    const probe = path.join(dir, `.write-probe-${process.pid}`);
    try {
      await ensurePrivateDir(dir);
      await writeFileAtomic(probe, "ok\n");
      await fsp.rm(probe, { force: true });
    } catch (err) {
      throw storageError("startup", `writing to ${dir}`, err);
    }
  }
}
