import { randomBytes } from "node:crypto";
import { constants, promises as fsp } from "node:fs";
import path from "node:path";
import { ensurePrivateDir } from "../infra/index.js";
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
 * Start-up check that every state directory can take a write (created 700 if missing): a small
 * probe file of a fresh name created there (600, never through an existing name), written, then
 * removed. Lets the gateway refuse to start — before it listens — on a full or read-only disk
 * instead of failing on the first message. The directories are probed at the same time; nothing is fsynced (the probe asks whether
 * the directory takes a write, and its file is removed at once). When several fail, the error names
 * the first of `dirs` that did.
 * @throws HoldfastError HF_STATE_DISK_FULL / HF_STATE_FD_LIMIT / HF_STATE_IO naming the directory
 */
export async function assertWritable(dirs: readonly string[], opts: WritableProbeOptions = {}): Promise<void> {
  const results = await Promise.allSettled(dirs.map((dir) => probeDir(dir, opts)));
  for (const [i, r] of results.entries())
    if (r.status === "rejected") throw storageError("startup", `writing to ${dirs[i] as string}`, r.reason);
}

const PROBE_FLAGS = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW;

async function probeDir(dir: string, opts: WritableProbeOptions): Promise<void> {
  if (opts.create !== false) await ensurePrivateDir(dir);
  const at = opts.create === false ? await nearestExisting(dir) : dir;
  // A fresh name per probe: directories that share their nearest existing parent (doctor), and starts
  // in one process, probe at the same time; O_EXCL | O_NOFOLLOW never writes through a name that exists.
  const probe = path.join(at, `.write-probe-${process.pid}-${randomBytes(6).toString("hex")}`);
  const fh = await fsp.open(probe, PROBE_FLAGS, 0o600);
  try {
    await fh.writeFile("ok\n");
  } finally {
    await fh.close();
    await fsp.rm(probe, { force: true });
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
