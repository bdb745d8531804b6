import { promises as fsp } from "node:fs";
import path from "node:path";
import { ensurePrivateDir, writeFileAtomic } from "../infra/index.js";
import { storageError } from "./storage-error.js";

/** Options of {@link assertWritable}. */
export interface WritableProbeOptions {
  /**
   * Create missing directories (700) and probe them (the gateway's start; default true). When
   * false (doctor), a missing directory is probed at its nearest existing parent, the one the
   * gateway would create it in, and nothing is left behind.
   */
  readonly create?: boolean;
}

/**
 * Start-up check that every state directory can take a write (created 700 if missing): an atomic
 * write of a small probe file, then its removal. Lets the gateway refuse to start — before it
 * listens — on a full or read-only disk instead of failing on the first message.
 * @throws HoldfastError HF_STATE_DISK_FULL / HF_STATE_FD_LIMIT / HF_STATE_IO naming the directory
 */
export async function assertWritable(dirs: readonly string[], opts: WritableProbeOptions = {}): Promise<void> {
  for (const dir of dirs) {
    try {
      if (opts.create !== false) await ensurePrivateDir(dir);
      const at = opts.create === false ? await nearestExisting(dir) : dir;
      const probe = path.join(at, `.write-probe-${process.pid}`);
      await writeFileAtomic(probe, "ok\n");
      await fsp.rm(probe, { force: true });
    } catch (err) {
      throw storageError("startup", `writing to ${dir}`, err);
    }
  }
}

async function nearestExisting(dir: string): Promise<string> {
  let at = path.resolve(dir);
  for (;;) {
    const st = await fsp.stat(at).catch(() => undefined);
    if (st) return at;
    const up = path.dirname(at);
    if (up === at) return at;
    at = up;
  }
}
