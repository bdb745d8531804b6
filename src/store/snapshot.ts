import Database from "better-sqlite3";
import { HoldfastError } from "../errors/index.js";

/**
 * Copies the state database at `file` to `dest` with SQLite's online backup API: a consistent
 * snapshot even while the gateway writes to it (another process, WAL mode). Opens the source read-only.
 * @throws HoldfastError HF_STATE_IO when the database cannot be read or the copy written.
 */
export async function snapshotStateDb(file: string, dest: string): Promise<void> {
  let db: Database.Database | undefined;
  try {
    db = new Database(file, { readonly: true, fileMustExist: true, timeout: 5_000 });
    await db.backup(dest);
  } catch (err) {
    throw new HoldfastError(
      "HF_STATE_IO",
      `cannot snapshot the state database ${file}`,
      { path: file },
      { cause: err },
    );
  } finally {
    db?.close();
  }
}
