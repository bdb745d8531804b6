import { createHash } from "node:crypto";
import { createReadStream, promises as fsp } from "node:fs";
import os from "node:os";
import path from "node:path";
import * as tar from "tar";
import { HoldfastError } from "../errors/index.js";
import { ensurePrivateDir, STATE_DIR_MODE, STATE_FILE_MODE, writeJsonAtomic } from "../infra/index.js";
import { snapshotStateDb } from "../store/index.js";
import { decryptFile, encryptFile, isEncrypted } from "./crypto.js";

/** What a backup holds: each file under `state/` with its mode, size and SHA-256. */
export interface BackupManifest {
  readonly version: 1;
  readonly createdAt: string;
  /** The config, when it lives outside the state dir (`HOLDFAST_CONFIG_PATH`), is `config/holdfast.json`. */
  readonly configOutside: boolean;
  readonly includesLogs: boolean;
  readonly files: readonly { path: string; mode: number; bytes: number; sha256: string }[];
}

/** Where the state lives and what goes into a backup. */
export interface BackupSource {
  readonly stateDir: string;
  readonly configPath: string;
  /** `<stateDir>/state/holdfast.sqlite`: copied with SQLite's online backup API. */
  readonly dbFile: string;
  readonly includeLogs?: boolean;
  readonly now: () => number;
}

/** Skipped: the PID file, lock dirs, the live database files (a snapshot replaces them), sandbox scratch and, by default, logs. */
function skipped(rel: string, includeLogs: boolean): boolean {
  const top = rel.split("/")[0] ?? "";
  if (rel === "gateway.pid" || top === "sandboxes" || (top === "logs" && !includeLogs)) return true;
  if (rel.endsWith(".lock") || /\.tmp[-.]/.test(rel)) return true;
  return /^state\/holdfast\.sqlite(-wal|-shm|-journal)?$/.test(rel);
}

async function sha256(file: string): Promise<string> {
  const h = createHash("sha256");
  for await (const chunk of createReadStream(file)) h.update(chunk as Buffer);
  return h.digest("hex");
}

/** Copies the state tree into `dest` (no symlinks followed; transcripts cut at their last complete line). */
async function stage(src: BackupSource, dest: string, rel = ""): Promise<void> {
  const from = path.join(src.stateDir, rel);
  for (const e of await fsp.readdir(from, { withFileTypes: true }).catch(() => [])) {
    const r = rel ? `${rel}/${e.name}` : e.name;
    if (skipped(r, src.includeLogs === true)) continue;
    if (e.isDirectory()) {
      await fsp.mkdir(path.join(dest, r), { mode: STATE_DIR_MODE });
      await stage(src, dest, r);
    } else if (e.isFile()) {
      const buf = await fsp.readFile(path.join(from, e.name)).catch(() => undefined);
      if (!buf) continue; // removed meanwhile (an atomic rename, a pruned file)
      const cut = r.endsWith(".jsonl") ? buf.subarray(0, buf.lastIndexOf(10) + 1) : buf;
      await fsp.writeFile(path.join(dest, r), cut, { mode: STATE_FILE_MODE });
    }
  }
}

async function manifestOf(root: string, rel = ""): Promise<BackupManifest["files"][number][]> {
  const out: BackupManifest["files"][number][] = [];
  for (const e of await fsp.readdir(path.join(root, rel), { withFileTypes: true })) {
    const r = rel ? `${rel}/${e.name}` : e.name;
    if (e.isDirectory()) out.push(...(await manifestOf(root, r)));
    else {
      const st = await fsp.stat(path.join(root, r));
      out.push({ path: r, mode: st.mode & 0o777, bytes: st.size, sha256: await sha256(path.join(root, r)) });
    }
  }
  return out;
}

const tempDir = () => fsp.mkdtemp(path.join(os.tmpdir(), "holdfast-backup-"));

/**
 * Writes one archive of the state dir to `out` (mode 600): a gzipped tar (the `tar` package) of
 * `manifest.json` and `state/` — config, credentials, sessions and transcripts, stores, devices, the
 * security trail, and the state database as an online-backup snapshot, so it is consistent while the
 * gateway runs. With a passphrase it is encrypted ({@link encryptFile}). Source: seeds "Backup & Recovery".
 * @throws HoldfastError HF_STATE_IO
 */
export async function createBackup(
  src: BackupSource,
  out: string,
  passphrase?: string,
): Promise<{ file: string; encrypted: boolean; manifest: BackupManifest }> {
  const tmp = await tempDir();
  try {
    const root = path.join(tmp, "root");
    await fsp.mkdir(path.join(root, "state"), { recursive: true, mode: STATE_DIR_MODE });
    await stage(src, path.join(root, "state"));
    if (await fsp.stat(src.dbFile).catch(() => undefined)) {
      await ensurePrivateDir(path.join(root, "state", path.relative(src.stateDir, path.dirname(src.dbFile))));
      await snapshotStateDb(src.dbFile, path.join(root, "state", path.relative(src.stateDir, src.dbFile)));
    }
    const configOutside = path.relative(src.stateDir, src.configPath).startsWith("..");
    if (configOutside && (await fsp.stat(src.configPath).catch(() => undefined))) {
      await fsp.mkdir(path.join(root, "config"), { mode: STATE_DIR_MODE });
      await fsp.copyFile(src.configPath, path.join(root, "config", "holdfast.json"));
    }
    const manifest: BackupManifest = {
      version: 1,
      createdAt: new Date(src.now()).toISOString(),
      configOutside,
      includesLogs: src.includeLogs === true,
      files: await manifestOf(root),
    };
    await writeJsonAtomic(path.join(root, "manifest.json"), manifest);
    const plain = passphrase ? path.join(tmp, "plain.tgz") : `${out}.tmp-${process.pid}`;
    await tar.c({ gzip: true, file: plain, cwd: root, portable: true }, [
      "manifest.json",
      ...(await fsp.readdir(root)).filter((n) => n !== "manifest.json"),
    ]);
    await fsp.chmod(plain, STATE_FILE_MODE);
    if (passphrase) await encryptFile(plain, `${out}.tmp-${process.pid}`, passphrase);
    await fsp.rename(`${out}.tmp-${process.pid}`, out);
    return { file: out, encrypted: passphrase !== undefined, manifest };
  } finally {
    await fsp.rm(tmp, { recursive: true, force: true });
  }
}

const invalid = (file: string, why: string) =>
  new HoldfastError("HF_BACKUP_INVALID", `${file} is not an intact holdfast backup: ${why}`, { path: file });

/**
 * Unpacks `file` into a fresh temp dir and checks every file against the manifest (present, same
 * size and SHA-256, nothing extra). Returns the dir (the caller removes it) and the manifest.
 * @throws HoldfastError HF_BACKUP_INVALID, HF_BACKUP_PASSPHRASE
 */
export async function openBackup(
  file: string,
  passphrase?: string,
): Promise<{ dir: string; root: string; manifest: BackupManifest; encrypted: boolean }> {
  if (!(await fsp.stat(file).catch(() => undefined))) throw invalid(file, "no such file");
  const dir = await tempDir();
  try {
    const encrypted = await isEncrypted(file);
    let tgz = file;
    if (encrypted) {
      if (!passphrase)
        throw new HoldfastError(
          "HF_BACKUP_PASSPHRASE",
          `${file} is encrypted: give its passphrase with --passphrase-env <VAR>`,
          { path: file },
        );
      tgz = path.join(dir, "plain.tgz");
      await decryptFile(file, tgz, passphrase);
    }
    const root = path.join(dir, "root");
    await fsp.mkdir(root, { mode: STATE_DIR_MODE });
    try {
      await tar.x({
        file: tgz,
        cwd: root,
        strict: true,
        preservePaths: false,
        filter: (_p, e) => "type" in e && (e.type === "File" || e.type === "Directory"),
      });
    } catch (err) {
      throw invalid(file, `the archive cannot be read (${(err as Error).message})`);
    }
    let manifest: BackupManifest;
    try {
      manifest = JSON.parse(await fsp.readFile(path.join(root, "manifest.json"), "utf8")) as BackupManifest;
    } catch {
      throw invalid(file, "no manifest.json");
    }
    if (manifest.version !== 1 || !Array.isArray(manifest.files)) throw invalid(file, "unknown manifest version");
    const found = new Map((await manifestOf(root)).map((f) => [f.path, f]));
    found.delete("manifest.json");
    for (const f of manifest.files) {
      const got = found.get(f.path);
      if (!got) throw invalid(file, `${f.path} is missing`);
      if (got.bytes !== f.bytes || got.sha256 !== f.sha256)
        throw invalid(file, `${f.path} does not match its checksum`);
      found.delete(f.path);
    }
    if (found.size > 0) throw invalid(file, `files not in the manifest: ${[...found.keys()].slice(0, 5).join(", ")}`);
    return { dir, root, manifest, encrypted };
  } catch (err) {
    await fsp.rm(dir, { recursive: true, force: true });
    throw err;
  }
}
