import { createHash, randomUUID } from "node:crypto";
import { promises as fsp } from "node:fs";
import path from "node:path";
import { ensurePrivateDir, stateCipher, writeFileAtomic } from "../infra/index.js";
import { MediaView } from "./media-view.js";
import type { ReadOnlyMount } from "./types.js";

/** Where a session's inbound media appear inside its jail (read-only). */
export const MEDIA_IN_JAIL = "/inbox";

/** One saved attachment: the gateway's file, and the path the session's tools use. */
export interface SavedMediaFile {
  readonly hostPath: string;
  readonly jailPath: string;
}

/**
 * Inbound media (channel attachments) live in a gateway-owned directory outside every jail:
 * `<root>/<session dir>/<date>-<uuid>.<ext>` (`root` = `<stateDir>/media`, 700). No name comes from
 * the sender or the model, and no jail can write there, so nothing can be planted on the gateway's
 * write path (a symlink at `/workspace/inbox` used to redirect these writes onto the host). The
 * session directory is mounted read-only at {@link MEDIA_IN_JAIL} in the session's jail. When the
 * jail runs as another user (a root gateway's sandbox user), the session directory is group-owned
 * by that user's group (750, files 640) so it can read, never write. Source: issue "Containment":
 * "Inbound media are written by the gateway into a gateway-owned directory outside every jail".
 * With encryption at rest on, the files are written sealed (`writeFileAtomic`) and the jail gets the
 * session's decrypted {@link MediaView} instead, in memory-backed storage.
 */
export class InboundMedia {
  private readonly view: MediaView;

  /** `viewBase`: where decrypted views go (default `$XDG_RUNTIME_DIR`, else `/dev/shm`). */
  constructor(
    private readonly root: string,
    viewBase?: string,
  ) {
    this.view = new MediaView(root, viewBase);
  }

  /** The gateway's directory of a session's media. */
  dirOf(agentId: string, sessionKey: string): string {
    const hash = createHash("sha256").update(`${agentId}\0${sessionKey}`).digest("hex").slice(0, 20);
    return path.join(this.root, `session-${hash}`);
  }

  /**
   * Saves one attachment. `readerGid`: the jail user's group when it differs from the gateway's.
   * @throws HoldfastError HF_STATE_IO when the file cannot be written.
   */
  async save(
    target: { readonly agentId: string; readonly sessionKey: string; readonly readerGid?: number },
    bytes: Uint8Array,
    extension: string | undefined,
  ): Promise<SavedMediaFile> {
    const dir = await this.ensureDir(target.agentId, target.sessionKey, target.readerGid);
    const ext = extension && /^[a-z0-9]{1,8}$/.test(extension) ? `.${extension}` : "";
    const name = `${new Date().toISOString().slice(0, 10)}-${randomUUID()}${ext}`;
    const hostPath = path.join(dir, name);
    const shared = target.readerGid !== undefined;
    await writeFileAtomic(hostPath, bytes, shared ? 0o640 : 0o600, { privateDir: false });
    if (shared) await fsp.chown(hostPath, process.getuid?.() ?? 0, target.readerGid as number);
    return { hostPath, jailPath: path.posix.join(MEDIA_IN_JAIL, name) };
  }

  /**
   * The read-only mount of a session's media (the directory is created when missing, so the mount
   * always exists): the directory itself, or its decrypted view while encryption at rest is on.
   * @throws HoldfastError HF_SANDBOX_UNAVAILABLE, HF_ENCRYPTION_* (see {@link MediaView.sync})
   */
  async mountFor(agentId: string, sessionKey: string, readerGid?: number): Promise<ReadOnlyMount> {
    const source = await this.ensureDir(agentId, sessionKey, readerGid);
    if (!stateCipher().seal) return { source, at: MEDIA_IN_JAIL };
    return { source: await this.view.sync(source, readerGid), at: MEDIA_IN_JAIL };
  }

  /** Removes a session's media (its session was reset or deleted), and its decrypted view. */
  async remove(agentId: string, sessionKey: string): Promise<void> {
    const dir = this.dirOf(agentId, sessionKey);
    await fsp.rm(dir, { recursive: true, force: true });
    await this.view.remove(dir);
  }

  /** Removes every decrypted view (the gateway starts or stops: no plaintext outlives it). */
  async clearViews(): Promise<void> {
    await this.view.clear();
  }

  /**
   * Inbound media files older than `maxAgeMs` (by modification time), each with its size; with
   * `dryRun` false they are removed, and so are session directories left empty and older than that.
   * Source: issue "Data lifecycle" (media retention, default 7 days).
   */
  async prune(opts: {
    readonly maxAgeMs: number;
    readonly now: number;
    readonly dryRun?: boolean;
  }): Promise<{ file: string; bytes: number }[]> {
    const removed: { file: string; bytes: number }[] = [];
    for (const d of await fsp.readdir(this.root).catch(() => [] as string[])) {
      const dir = path.join(this.root, d);
      const st = await fsp.lstat(dir).catch(() => undefined);
      if (!st?.isDirectory()) continue;
      const names = await fsp.readdir(dir).catch(() => [] as string[]);
      let left = names.length;
      for (const name of names) {
        const file = path.join(dir, name);
        const f = await fsp.lstat(file).catch(() => undefined);
        if (!f || opts.now - f.mtimeMs <= opts.maxAgeMs) continue;
        removed.push({ file, bytes: f.size });
        left--;
        if (!opts.dryRun) await fsp.rm(file, { recursive: true, force: true });
      }
      if (left === 0 && !opts.dryRun && opts.now - st.mtimeMs > opts.maxAgeMs)
        await fsp.rmdir(dir).catch(() => undefined);
    }
    return removed;
  }

  private async ensureDir(agentId: string, sessionKey: string, readerGid?: number): Promise<string> {
    await ensurePrivateDir(this.root);
    const dir = this.dirOf(agentId, sessionKey);
    await fsp.mkdir(dir, { mode: 0o700 }).catch((err: NodeJS.ErrnoException) => {
      if (err.code !== "EEXIST") throw err;
    });
    const st = await fsp.lstat(dir);
    const uid = process.getuid?.() ?? st.uid;
    const gid = readerGid ?? st.gid;
    const mode = readerGid !== undefined ? 0o750 : 0o700;
    if (st.uid !== uid || st.gid !== gid) await fsp.chown(dir, uid, gid);
    if ((st.mode & 0o777) !== mode) await fsp.chmod(dir, mode);
    return dir;
  }
}
