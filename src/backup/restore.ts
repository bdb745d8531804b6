import { promises as fsp } from "node:fs";
import path from "node:path";
import { HoldfastError } from "../errors/index.js";
import { STATE_DIR_MODE, STATE_FILE_MODE } from "../infra/index.js";
import { openBackup, type BackupManifest } from "./archive.js";

/** Sets every directory to 700 and every file to 600 under `dir`. */
async function privateModes(dir: string): Promise<void> {
  await fsp.chmod(dir, STATE_DIR_MODE);
  for (const e of await fsp.readdir(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) await privateModes(p);
    else await fsp.chmod(p, STATE_FILE_MODE);
  }
}

/** What `backup restore` did. */
export interface RestoreReport {
  readonly stateDir: string;
  readonly files: number;
  readonly createdAt: string;
  /** Where the previous contents went (`--force` into a non-empty state dir). */
  readonly previousMovedTo?: string;
  /** The config outside the state dir: restored, or kept because one exists there. */
  readonly config?: { readonly path: string; readonly restored: boolean };
}

/**
 * Restores a backup (verified first: nothing is touched unless every file matches the manifest) into
 * `stateDir`, which must be missing or empty — or, with `force`, not in use (its previous contents are
 * moved aside to `<stateDir>.before-restore-<ts>`). Directories come back 700 and files 600. The
 * tree is built beside the target and renamed into place, so an interrupted restore leaves no half state dir.
 * @throws HoldfastError HF_BACKUP_TARGET (not empty / gateway running), HF_BACKUP_INVALID, HF_BACKUP_PASSPHRASE
 */
export async function restoreBackup(o: {
  readonly file: string;
  readonly stateDir: string;
  readonly configPath: string;
  readonly passphrase?: string;
  readonly force?: boolean;
  readonly gatewayRunning: boolean;
  readonly now: () => number;
}): Promise<RestoreReport> {
  if (o.gatewayRunning)
    throw new HoldfastError("HF_BACKUP_TARGET", `the gateway of ${o.stateDir} is running: stop it before restoring`);
  const existing = await fsp.readdir(o.stateDir).catch(() => undefined);
  if (existing && existing.length > 0 && !o.force)
    throw new HoldfastError(
      "HF_BACKUP_TARGET",
      `${o.stateDir} is not empty: restore into a new state dir (HOLDFAST_STATE_DIR=<dir>), or add --force to move the current one aside`,
      { path: o.stateDir },
    );
  const opened = await openBackup(o.file, o.passphrase);
  const staging = `${o.stateDir}.restoring-${process.pid}`;
  try {
    await fsp.rm(staging, { recursive: true, force: true });
    await fsp.cp(path.join(opened.root, "state"), staging, { recursive: true });
    await privateModes(staging);
    let previousMovedTo: string | undefined;
    if (existing && existing.length > 0) {
      previousMovedTo = `${o.stateDir}.before-restore-${o.now()}`;
      await fsp.rename(o.stateDir, previousMovedTo);
    } else if (existing) await fsp.rmdir(o.stateDir);
    await fsp.mkdir(path.dirname(o.stateDir), { recursive: true });
    await fsp.rename(staging, o.stateDir);
    const config = await restoreConfig(opened.root, opened.manifest, o.configPath);
    return {
      stateDir: o.stateDir,
      files: opened.manifest.files.length,
      createdAt: opened.manifest.createdAt,
      ...(previousMovedTo ? { previousMovedTo } : {}),
      ...(config ? { config } : {}),
    };
  } finally {
    await fsp.rm(staging, { recursive: true, force: true });
    await fsp.rm(opened.dir, { recursive: true, force: true });
  }
}

async function restoreConfig(
  root: string,
  manifest: BackupManifest,
  configPath: string,
): Promise<RestoreReport["config"]> {
  if (!manifest.configOutside || !manifest.files.some((f) => f.path === "config/holdfast.json")) return undefined;
  if (await fsp.stat(configPath).catch(() => undefined)) return { path: configPath, restored: false };
  await fsp.mkdir(path.dirname(configPath), { recursive: true, mode: STATE_DIR_MODE });
  await fsp.copyFile(path.join(root, "config", "holdfast.json"), configPath);
  await fsp.chmod(configPath, STATE_FILE_MODE);
  return { path: configPath, restored: true };
}
