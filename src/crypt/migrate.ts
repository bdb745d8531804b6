import { existsSync } from "node:fs";
import { conformFile, writeFileAtomic } from "../infra/index.js";
import { silentLogger } from "../logging/index.js";
import { recodeSealedColumns, StateDb, stateDbPath, StorageHealth } from "../store/index.js";
import { writeMeta, type EncryptionMeta } from "./meta.js";
import { filesInScope } from "./scope.js";

/** What one migration pass did. */
export interface MigrationReport {
  readonly state: "on" | "off";
  readonly files: number;
  readonly sealed: number;
  readonly unsealed: number;
  readonly resealed: number;
  /** Rows of the state database whose text columns were rewritten (sealed, re-sealed or decrypted). */
  readonly rows: number;
}

/** Progress callback: after each file rewritten (for the CLI's line and for tests). */
export type MigrationProgress = (file: string, done: number, total: number) => void;

/**
 * Brings every file in scope, and the text columns of the state database (one transaction per table,
 * then `VACUUM` and a truncated WAL), into the format the installed state cipher wants, then records the end
 * state (`on`, or removes `encryption.json` after a disable). Crash-safe by construction: `meta`
 * (the journal: target state and keys) is written before the first file, each file is replaced by an
 * atomic rename (temp, fsync, rename, dir fsync) and names the key it is sealed under, and readers
 * accept either format, so a kill -9 at any point leaves every file readable with the old or the new
 * key; running the same command again, or starting the gateway, finishes the pass.
 * The caller holds the instance lock (no gateway appends meanwhile) and installed the cipher.
 */
export async function runMigration(
  stateDir: string,
  meta: EncryptionMeta,
  progress: MigrationProgress = () => undefined,
): Promise<MigrationReport> {
  const files = await filesInScope(stateDir);
  const counts = { sealed: 0, unsealed: 0, resealed: 0 };
  let done = 0;
  for (const file of files) {
    const what = await conformFile(file, (f, data, mode) => writeFileAtomic(f, data, mode, { privateDir: false }));
    if (what !== "kept") counts[what]++;
    progress(file, ++done, files.length);
  }
  const rows = recodeStateDb(stateDir);
  const { previous: _previous, ...rest } = meta;
  const end =
    meta.state === "disabling" ? undefined : { ...rest, state: "on" as const, updatedAt: new Date().toISOString() };
  await writeMeta(stateDir, end);
  return { state: end ? "on" : "off", files: files.length, ...counts, rows };
}

/** Recodes the state database's text columns (none when it does not exist yet); see {@link recodeSealedColumns}. */
function recodeStateDb(stateDir: string): number {
  const file = stateDbPath(stateDir);
  if (!existsSync(file)) return 0;
  const log = silentLogger();
  const db = StateDb.open({ file, log, health: new StorageHealth(log) });
  try {
    return recodeSealedColumns(db);
  } finally {
    db.close();
  }
}

/**
 * Finishes a migration a crash interrupted (`encryption.json` says enabling, disabling or rotating):
 * the gateway calls it at start, holding the instance lock, with the cipher already installed for that
 * state. Returns the report, or `undefined` when there was nothing to finish.
 */
export async function resumeMigration(
  stateDir: string,
  read: (dir: string) => Promise<EncryptionMeta | undefined>,
): Promise<MigrationReport | undefined> {
  const meta = await read(stateDir);
  if (!meta || meta.state === "on") return undefined;
  return runMigration(stateDir, meta);
}
