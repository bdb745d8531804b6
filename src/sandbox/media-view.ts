import { createHash } from "node:crypto";
import { promises as fsp, statSync } from "node:fs";
import path from "node:path";
import { HoldfastError } from "../errors/index.js";
import { decodeStateFile, writeFileAtomic } from "../infra/index.js";

/**
 * Where a memory-backed directory of this user is: `$XDG_RUNTIME_DIR` (per user, 700, tmpfs), else
 * `/dev/shm`; `undefined` when neither is a directory.
 */
export function memoryBackedDir(env: NodeJS.ProcessEnv = process.env): string | undefined {
  for (const dir of [env.XDG_RUNTIME_DIR, "/dev/shm"]) {
    if (!dir || !path.isAbsolute(dir)) continue;
    try {
      if (statSync(dir).isDirectory()) return dir;
    } catch {
      // not there: try the next
    }
  }
  return undefined;
}

const uid = () => process.getuid?.() ?? 0;

/** Creates `dir` (700) or checks it: a real directory of this user, nothing else (a shared /dev/shm). */
async function ownDir(dir: string, mode: number, gid?: number): Promise<void> {
  await fsp.mkdir(dir, { mode }).catch((err: NodeJS.ErrnoException) => {
    if (err.code !== "EEXIST") throw err;
  });
  const st = await fsp.lstat(dir);
  if (!st.isDirectory() || st.uid !== uid())
    throw new HoldfastError(
      "HF_STATE_IO",
      `${dir} is not a directory of this user; inbound media are not decrypted there`,
      {
        path: dir,
      },
    );
  if (gid !== undefined && st.gid !== gid) await fsp.chown(dir, uid(), gid);
  if ((st.mode & 0o777) !== mode) await fsp.chmod(dir, mode);
}

/**
 * The decrypted view of inbound media while encryption at rest is on. The files under
 * `<stateDir>/media` are sealed; a session's jail gets, at `/inbox`, a directory in memory-backed
 * storage (`$XDG_RUNTIME_DIR` or `/dev/shm`, never the disk) holding their plaintext, brought up to
 * date each time a jail of the session is prepared for a tool call (new files decrypted, removed ones
 * removed). Plaintext exists only there, while the gateway runs: the views are removed when the
 * sandbox stage stops and when it starts (after a crash), and a session's view with its media.
 */
export class MediaView {
  private readonly root: string | undefined;

  /** `base`: the memory-backed directory ({@link memoryBackedDir} by default); `mediaRoot` names the view. */
  constructor(mediaRoot: string, base: string | undefined = memoryBackedDir()) {
    const tag = createHash("sha256").update(path.resolve(mediaRoot)).digest("hex").slice(0, 16);
    this.root = base ? path.join(base, `holdfast-${uid()}`, `media-${tag}`) : undefined;
  }

  /**
   * The view of the sealed session directory `source` (created or synced), readable by `readerGid`
   * when given (750, files 640).
   * @throws HoldfastError HF_SANDBOX_UNAVAILABLE without memory-backed storage; HF_ENCRYPTION_* when a
   *   file cannot be opened; HF_STATE_IO
   */
  async sync(source: string, readerGid?: number): Promise<string> {
    if (!this.root)
      throw new HoldfastError(
        "HF_SANDBOX_UNAVAILABLE",
        "inbound media are encrypted at rest and this machine has no memory-backed directory ($XDG_RUNTIME_DIR or /dev/shm) to decrypt them into for the session's jail",
      );
    await ownDir(path.dirname(this.root), 0o700);
    await ownDir(this.root, 0o700);
    const view = path.join(this.root, path.basename(source));
    await ownDir(view, readerGid !== undefined ? 0o750 : 0o700, readerGid);
    const names = (await fsp.readdir(source)).filter((n) => !n.startsWith("."));
    const keep = new Set(names);
    for (const n of await fsp.readdir(view)) if (!keep.has(n)) await fsp.rm(path.join(view, n), { force: true });
    const have = new Set(await fsp.readdir(view));
    for (const name of names) {
      if (have.has(name)) continue;
      const file = path.join(source, name);
      const plain = decodeStateFile(file, await fsp.readFile(file));
      const dest = path.join(view, name);
      await writeFileAtomic(dest, plain, readerGid !== undefined ? 0o640 : 0o600, { privateDir: false });
      if (readerGid !== undefined) await fsp.chown(dest, uid(), readerGid);
    }
    return view;
  }

  /** Removes the view of one session directory (its media were removed). */
  async remove(source: string): Promise<void> {
    if (this.root) await fsp.rm(path.join(this.root, path.basename(source)), { recursive: true, force: true });
  }

  /** Removes every view of this media root. */
  async clear(): Promise<void> {
    if (this.root) await fsp.rm(this.root, { recursive: true, force: true });
  }
}
