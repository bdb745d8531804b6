import { promises as fsp } from "node:fs";
import path from "node:path";
import { cliHint } from "../infra/index.js";
import type { Logger } from "../logging/index.js";
import { moveAside } from "./quarantine.js";
import { sealed } from "./sealed-columns.js";
import type { SessionIndexEntry } from "./session-index.js";
import type { SqliteDatabase, StateDb } from "./state-db.js";
import { storageError } from "./storage-error.js";

/** Suffix given to a legacy file once its content is in the database (kept as a backup). */
export const MIGRATED_SUFFIX = ".migrated";

/** Options of {@link migrateLegacyState}. */
export interface LegacyMigrationOptions {
  readonly db: StateDb;
  /** `<stateDir>/agents` (holding `<agentId>/sessions/sessions.json`). */
  readonly agentsDir: string;
  /** `<stateDir>/telegram` (holding `update-offset-<accountId>.json`). */
  readonly telegramDir: string;
  readonly log: Logger;
}

/** What {@link migrateLegacyState} imported. */
export interface LegacyMigrationReport {
  readonly sessions: number;
  readonly telegramAccounts: number;
  readonly corrupt: number;
}

/**
 * Imports the JSON state files of earlier versions into the state database, crash-safely: each file's
 * rows and a `migrations` record commit together; only then is the file renamed to
 * `<file>.migrated`. A crash before the commit leaves the file to be imported again (inserts are
 * idempotent); a crash after it leaves a file whose record exists, which is just renamed.
 * - `agents/<id>/sessions/sessions.json` → `sessions` (its stale `sessions.json.lock` is removed);
 * - `telegram/update-offset-<accountId>.json` → the account's cursor and handled update ids.
 * A file that does not parse is moved aside (`.corrupt.<ts>`) and reported; the session index is
 * then rebuilt from the transcripts by {@link reconcileIndex}.
 * @throws HoldfastError HF_STATE_* when a file cannot be read or renamed (start-up fails)
 */
export async function migrateLegacyState(opts: LegacyMigrationOptions): Promise<LegacyMigrationReport> {
  let sessions = 0;
  let telegramAccounts = 0;
  let corrupt = 0;
  const agents = await fsp.readdir(opts.agentsDir).catch(() => [] as string[]);
  for (const agentId of agents) {
    const file = path.join(opts.agentsDir, agentId, "sessions", "sessions.json");
    const r = await migrateFile(opts, file, `sessions.json:${agentId}`, (d, raw) => importSessions(d, raw, agentId));
    if (r === "corrupt") corrupt++;
    else sessions += r;
    await fsp.rm(`${file}.lock`, { recursive: true, force: true }).catch(() => undefined);
  }
  const tg = await fsp.readdir(opts.telegramDir).catch(() => [] as string[]);
  for (const name of tg) {
    const m = /^update-offset-(.+)\.json$/.exec(name);
    if (!m) continue;
    const accountId = m[1] as string;
    const r = await migrateFile(opts, path.join(opts.telegramDir, name), `telegram-offset:${accountId}`, (d, raw) =>
      importTelegramOffsets(d, raw, accountId, opts.db.now()),
    );
    if (r === "corrupt") corrupt++;
    else if (r > 0) telegramAccounts++;
  }
  if (sessions + telegramAccounts > 0) opts.log.info({ sessions, telegramAccounts }, "legacy state files imported");
  return { sessions, telegramAccounts, corrupt };
}

type Importer = (d: SqliteDatabase, raw: unknown) => number;

async function migrateFile(
  opts: LegacyMigrationOptions,
  file: string,
  name: string,
  importer: Importer,
): Promise<number | "corrupt"> {
  let text: string;
  try {
    text = await fsp.readFile(file, "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return 0;
    throw storageError("migration", `reading ${file}`, err);
  }
  const done = opts.db.run("reading migrations", (d) => d.prepare("SELECT 1 FROM migrations WHERE name = ?").get(name));
  let count = 0;
  if (!done) {
    const { raw, problem } = parseObject(text);
    if (problem !== undefined) {
      await quarantine(opts, file, problem);
      return "corrupt";
    }
    count = opts.db.tx(`importing ${file}`, (d) => {
      const n = importer(d, raw);
      d.prepare("INSERT INTO migrations (name, done_at, detail) VALUES (?, ?, ?)").run(
        name,
        opts.db.now(),
        `${n} rows`,
      );
      return n;
    });
  }
  try {
    await fsp.rename(file, `${file}${MIGRATED_SUFFIX}`);
  } catch (err) {
    throw storageError("migration", `renaming ${file}`, err);
  }
  return count;
}

async function quarantine(opts: LegacyMigrationOptions, file: string, problem: string): Promise<void> {
  let movedTo: string | undefined;
  try {
    movedTo = await moveAside(file, opts.db.now());
  } catch (err) {
    throw storageError("migration", `moving aside ${file}`, err);
  }
  const telegram = file.includes(`${path.sep}telegram${path.sep}`);
  opts.db.reportCorrupt({
    file,
    ...(movedTo ? { movedTo } : {}),
    problem: `not JSON of the expected shape: ${problem}`,
    fix: telegram
      ? "nothing to do: Telegram keeps the last confirmed offset and updates are deduplicated in the state database from now on"
      : `the session index is rebuilt from the transcripts; check \`${cliHint("sessions list")}\` and run \`${cliHint("doctor")}\``,
  });
}

function parseObject(text: string): { raw?: unknown; problem?: string } {
  try {
    const raw: unknown = JSON.parse(text);
    if (raw === null || typeof raw !== "object" || Array.isArray(raw)) return { problem: "expected a JSON object" };
    return { raw };
  } catch (err) {
    return { problem: (err as Error).message };
  }
}

const SESSION_ID = /^[a-f0-9-]{36}$/;

function importSessions(d: SqliteDatabase, raw: unknown, agentId: string): number {
  const ins = d.prepare(
    "INSERT OR IGNORE INTO sessions (key, session_id, agent_id, created_at, updated_at, message_count, channel, chat_type, display_name) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
  );
  let n = 0;
  for (const [key, v] of Object.entries(raw as Record<string, unknown>)) {
    const m = (v ?? {}) as Partial<Record<keyof SessionIndexEntry, unknown>>;
    if (typeof m.sessionId !== "string" || !SESSION_ID.test(m.sessionId)) continue;
    const num = (x: unknown) => (typeof x === "number" && Number.isFinite(x) ? Math.floor(x) : 0);
    const str = (x: unknown) => (typeof x === "string" ? x : null);
    const chatType = m.chatType === "direct" || m.chatType === "group" ? m.chatType : null;
    n += ins.run(
      key,
      m.sessionId,
      typeof m.agentId === "string" ? m.agentId : agentId,
      num(m.createdAt),
      num(m.updatedAt),
      num(m.messageCount),
      str(m.channel),
      chatType,
      typeof m.displayName === "string" ? sealed("sessions", "display_name", m.displayName) : null,
    ).changes;
  }
  return n;
}

function importTelegramOffsets(d: SqliteDatabase, raw: unknown, accountId: string, now: number): number {
  const r = raw as { lastUpdateId?: unknown; recent?: unknown };
  const ids = (Array.isArray(r.recent) ? r.recent : []).filter((n): n is number => Number.isSafeInteger(n));
  if (Number.isSafeInteger(r.lastUpdateId)) ids.push(r.lastUpdateId as number);
  if (ids.length === 0) return 0;
  const ins = d.prepare(
    "INSERT OR IGNORE INTO channel_inbound (channel, account_id, update_id, payload, state, received_at, done_at) VALUES ('telegram', ?, ?, '{}', 'done', ?, ?)",
  );
  for (const id of ids) ins.run(accountId, String(id), now, now);
  d.prepare(
    "INSERT OR IGNORE INTO channel_cursor (channel, account_id, cursor, updated_at) VALUES ('telegram', ?, ?, ?)",
  ).run(accountId, String(Math.max(...ids) + 1), now);
  return 1;
}
