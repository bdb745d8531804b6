import { openColumn, recodeColumn, sealColumn } from "../infra/index.js";
import { compact } from "./erase.js";
import type { StateDb } from "./state-db.js";

/**
 * The columns of the state database that hold message text, sealed by encryption at rest
 * (`infra/column-cipher.ts`): the ledger's user message, origin and outcome (reply or partial text),
 * an inbound update's platform payload, an outbox chunk's text, and a session's display name (the
 * person's or group's name as the platform gave it). Other columns hold ids, states, counts and times
 * (the session keys stay readable: every lookup is by key). Source: issue "Encryption at rest" (no message text readable in any file).
 */
export const SEALED_COLUMNS = {
  runs: ["message", "origin", "outcome"],
  channel_inbound: ["payload"],
  channel_outbox: ["text"],
  sessions: ["display_name"],
} as const;

type Table = keyof typeof SEALED_COLUMNS;
type Column<T extends Table> = (typeof SEALED_COLUMNS)[T][number];

/** `value` as stored in `table.column` (sealed when encryption at rest is on). */
export function sealed<T extends Table>(table: T, column: Column<T>, value: string): string {
  return sealColumn(`${table}.${column}`, value);
}

/** The text of `stored`, read from `table.column`. */
export function unsealed<T extends Table>(table: T, column: Column<T>, stored: string): string {
  return openColumn(`${table}.${column}`, stored);
}

/**
 * Rewrites every sealed column of `db` in the format the installed state cipher wants (encryption at
 * rest on: sealed under the current key; off: plaintext), one transaction per table, then compacts
 * the database with `secure_delete` (`VACUUM`, WAL truncated), so no free page or WAL frame keeps an
 * earlier form of a value. Returns how many rows changed. Safe to interrupt: every row is readable
 * in either format, and the next pass finishes the work.
 * @throws HoldfastError HF_STATE_* on storage failures; HF_ENCRYPTION_* when a value cannot be opened
 */
export function recodeSealedColumns(db: StateDb): number {
  let changed = 0;
  for (const [table, columns] of Object.entries(SEALED_COLUMNS)) {
    changed += db.tx(`re-encoding ${table}`, (d) => {
      const rows = d.prepare(`SELECT rowid AS rid, ${columns.join(", ")} FROM ${table}`).all() as Record<
        string,
        unknown
      >[];
      const update = d.prepare(`UPDATE ${table} SET ${columns.map((c) => `${c} = ?`).join(", ")} WHERE rowid = ?`);
      let n = 0;
      for (const row of rows) {
        const before = columns.map((c) => row[c] as string | null);
        const after = columns.map((c, i) => {
          const v = before[i];
          return typeof v === "string" ? recodeColumn(`${table}.${c}`, v) : (v ?? null);
        });
        if (after.every((v, i) => v === before[i])) continue;
        update.run(...after, row.rid);
        n++;
      }
      return n;
    });
  }
  compact(db);
  return changed;
}
