import { sealed, unsealed } from "./sealed-columns.js";
import type { StateDb } from "./state-db.js";

/** One row of the session index. Times are ms since the epoch. */
export interface SessionIndexEntry {
  /** Canonical session key `agent:<agentId>:<rest>`. */
  readonly key: string;
  readonly sessionId: string;
  readonly agentId: string;
  readonly createdAt: number;
  readonly updatedAt: number;
  readonly messageCount: number;
  /** Where the session's messages come from (`webchat`, `telegram`, ...), when known. */
  readonly channel?: string;
  readonly chatType?: "direct" | "group";
  readonly displayName?: string;
}

interface Row {
  key: string;
  session_id: string;
  agent_id: string;
  created_at: number;
  updated_at: number;
  message_count: number;
  channel: string | null;
  chat_type: string | null;
  display_name: string | null;
}

/** Bound of {@link SessionIndex}'s read cache, entries (sessions read lately). */
export const SESSION_INDEX_CACHE_SIZE = 512;

const COLUMNS = "key, session_id, agent_id, created_at, updated_at, message_count, channel, chat_type, display_name";

function fromRow(r: Row): SessionIndexEntry {
  return {
    key: r.key,
    sessionId: r.session_id,
    agentId: r.agent_id,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    messageCount: r.message_count,
    ...(r.channel ? { channel: r.channel } : {}),
    ...(r.chat_type === "direct" || r.chat_type === "group" ? { chatType: r.chat_type } : {}),
    ...(r.display_name ? { displayName: unsealed("sessions", "display_name", r.display_name) } : {}),
  };
}

function params(e: SessionIndexEntry): unknown[] {
  return [
    e.key,
    e.sessionId,
    e.agentId,
    e.createdAt,
    e.updatedAt,
    e.messageCount,
    e.channel ?? null,
    e.chatType ?? null,
    e.displayName !== undefined ? sealed("sessions", "display_name", e.displayName) : null,
  ];
}

/**
 * The session index in the state database (replaces `sessions.json`). Every method commits before it
 * returns; the gateway and CLI commands see each other's changes at once. All methods throw
 * HoldfastError HF_STATE_* on storage failures (see {@link StateDb.run}).
 */
export class SessionIndex {
  /** Entries read lately, least recently used first; see {@link get}. */
  private readonly recent = new Map<string, SessionIndexEntry>();
  /** The connection's data version when {@link recent} was last known to be current. */
  private version: number | undefined;

  /** @param maxCached bound of the read cache, entries (default {@link SESSION_INDEX_CACHE_SIZE}) */
  constructor(
    private readonly db: StateDb,
    private readonly maxCached = SESSION_INDEX_CACHE_SIZE,
  ) {}

  /**
   * The entry of `key`, or undefined. Entries read lately are answered from memory while no other
   * connection has committed to the database since (`PRAGMA data_version`, a cheaper statement than
   * the row's own read, which a message needed four times); this index's own writes drop the entries
   * they change, and nothing read inside an open transaction is kept (it may still be rolled back).
   */
  get(key: string): SessionIndexEntry | undefined {
    const version = this.db.dataVersion();
    if (version !== this.version) {
      this.recent.clear();
      this.version = version;
    }
    const hit = this.recent.get(key);
    if (hit) {
      this.recent.delete(key);
      this.recent.set(key, hit);
      return hit;
    }
    const row = this.db.run("reading the session index", (d) =>
      d.prepare(`SELECT ${COLUMNS} FROM sessions WHERE key = ?`).get(key),
    ) as Row | undefined;
    if (!row) return undefined;
    const entry = fromRow(row);
    if (!this.db.inTransaction) this.remember(key, entry);
    return entry;
  }

  private remember(key: string, entry: SessionIndexEntry): void {
    this.recent.set(key, entry);
    if (this.recent.size > this.maxCached) this.recent.delete(this.recent.keys().next().value as string);
  }

  /** Drops what the read cache holds of `key` (before the write that changes it). */
  private forget(key: string): void {
    this.recent.delete(key);
  }

  /** The entry whose transcript is `sessionId`, or undefined. */
  bySessionId(sessionId: string): SessionIndexEntry | undefined {
    const row = this.db.run("reading the session index", (d) =>
      d.prepare(`SELECT ${COLUMNS} FROM sessions WHERE session_id = ?`).get(sessionId),
    ) as Row | undefined;
    return row ? fromRow(row) : undefined;
  }

  /** Every session (of `agentId`, when given), most recently updated first. */
  list(agentId?: string): SessionIndexEntry[] {
    const rows = this.db.run("listing sessions", (d) =>
      agentId === undefined
        ? d.prepare(`SELECT ${COLUMNS} FROM sessions ORDER BY updated_at DESC, key`).all()
        : d.prepare(`SELECT ${COLUMNS} FROM sessions WHERE agent_id = ? ORDER BY updated_at DESC, key`).all(agentId),
    ) as Row[];
    return rows.map(fromRow);
  }

  /**
   * Inserts `entry` unless `entry.key` exists. Returns the entry now stored (the existing one when
   * another writer created it first).
   */
  create(entry: SessionIndexEntry): SessionIndexEntry {
    this.forget(entry.key);
    return this.db.tx("creating a session", (d) => {
      d.prepare(`INSERT OR IGNORE INTO sessions (${COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`).run(...params(entry));
      return fromRow(d.prepare(`SELECT ${COLUMNS} FROM sessions WHERE key = ?`).get(entry.key) as Row);
    });
  }

  /** Inserts or replaces `entry` (migration, rebuild). */
  put(entry: SessionIndexEntry): void {
    this.forget(entry.key);
    this.db.run("writing the session index", (d) =>
      d
        .prepare(`INSERT OR REPLACE INTO sessions (${COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`)
        .run(...params(entry)),
    );
  }

  /** Adds `messages` to the count of `key` and sets `updatedAt` to `at` (the newest message). No-op for unknown keys. */
  touch(key: string, at: number, messages = 1): void {
    this.forget(key);
    this.db.run("updating the session index", (d) =>
      d
        .prepare("UPDATE sessions SET message_count = message_count + ?, updated_at = ? WHERE key = ?")
        .run(messages, at, key),
    );
  }

  /** {@link touch} for several sessions in one commit. */
  touchMany(changes: Iterable<{ key: string; at: number; messages: number }>): void {
    this.db.tx("updating the session index", (d) => {
      const st = d.prepare("UPDATE sessions SET message_count = message_count + ?, updated_at = ? WHERE key = ?");
      for (const c of changes) {
        this.forget(c.key);
        st.run(c.messages, c.at, c.key);
      }
    });
  }

  /** Sets the message count of `key` (after its transcript was trimmed). No-op for unknown keys. */
  setMessageCount(key: string, count: number): void {
    this.forget(key);
    this.db.run("updating the session index", (d) =>
      d.prepare("UPDATE sessions SET message_count = ? WHERE key = ?").run(count, key),
    );
  }

  /** Removes `key`. Returns the removed entry, or undefined when it did not exist. */
  delete(key: string): SessionIndexEntry | undefined {
    this.forget(key);
    return this.db.tx("deleting a session", (d) => {
      const row = d.prepare(`SELECT ${COLUMNS} FROM sessions WHERE key = ?`).get(key) as Row | undefined;
      if (row) d.prepare("DELETE FROM sessions WHERE key = ?").run(key);
      return row ? fromRow(row) : undefined;
    });
  }

  /** Session ids of every indexed session (for finding orphaned transcripts). */
  sessionIds(): Set<string> {
    const rows = this.db.run("listing sessions", (d) => d.prepare("SELECT session_id FROM sessions").all()) as {
      session_id: string;
    }[];
    return new Set(rows.map((r) => r.session_id));
  }
}
