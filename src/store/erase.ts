import { openColumn } from "../infra/index.js";
import type { StateDb } from "./state-db.js";

/** Whose rows {@link eraseRows} removes: whole sessions, and a person's own messages anywhere. */
export interface EraseMatch {
  /** Session keys whose every row goes (runs; replies and outbox chunks of those runs). */
  readonly sessionKeys: readonly string[];
  /** The person's channel identities (`{channel, id}`, ids as the channel normalizes them). */
  readonly senders: readonly { readonly channel: string; readonly id: string }[];
}

/** Rows removed (or, in a dry run, that would be removed), per table. */
export interface EraseCounts {
  readonly runs: number;
  readonly inbound: number;
  readonly replies: number;
  readonly outbox: number;
}

/**
 * Removes a person's rows from the state database: ledger runs of their sessions or sent by them
 * (`message.sender`), the replies and outbox chunks owed for those runs or addressed to their chats,
 * and inbound platform updates they sent (any `from`/`chat` object in the payload with their id).
 * Unless `dryRun`, the deletion is followed by `VACUUM` and a WAL checkpoint with `secure_delete` on,
 * so no free page or WAL frame keeps the removed text.
 * @throws HoldfastError HF_STATE_* when the database cannot be written
 */
export function eraseRows(db: StateDb, match: EraseMatch, opts: { readonly dryRun?: boolean } = {}): EraseCounts {
  const counts = db.tx("erasing a person's rows", (d) => {
    const runs = (d.prepare("SELECT run_id, session_key, message FROM runs").all() as RunRow[]).filter((r) =>
      runMatches(r, match),
    );
    const runIds = new Set(runs.map((r) => r.run_id));
    const replies = (
      d.prepare("SELECT channel, account_id, reply_key, run_id FROM channel_replies").all() as ReplyRow[]
    ).filter((r) => (r.run_id !== null && runIds.has(r.run_id)) || chatOf(r, match));
    const replyKeys = new Set(replies.map((r) => `${r.channel}\0${r.account_id}\0${r.reply_key}`));
    const outbox = (
      d.prepare("SELECT seq, channel, account_id, reply_key FROM channel_outbox").all() as OutboxRow[]
    ).filter((r) => replyKeys.has(`${r.channel}\0${r.account_id}\0${r.reply_key}`) || chatOf(r, match));
    const inbound = (d.prepare("SELECT seq, channel, payload FROM channel_inbound").all() as InboundRow[]).filter((r) =>
      match.senders.some(
        (s) => s.channel === r.channel && mentionsId(safeJson(openColumn("channel_inbound.payload", r.payload)), s.id),
      ),
    );
    if (!opts.dryRun) {
      const delRun = d.prepare("DELETE FROM runs WHERE run_id = ?");
      for (const r of runs) delRun.run(r.run_id);
      const delReply = d.prepare("DELETE FROM channel_replies WHERE channel = ? AND account_id = ? AND reply_key = ?");
      for (const r of replies) delReply.run(r.channel, r.account_id, r.reply_key);
      const delOut = d.prepare("DELETE FROM channel_outbox WHERE seq = ?");
      for (const r of outbox) delOut.run(r.seq);
      const delIn = d.prepare("DELETE FROM channel_inbound WHERE seq = ?");
      for (const r of inbound) delIn.run(r.seq);
    }
    return { runs: runs.length, inbound: inbound.length, replies: replies.length, outbox: outbox.length };
  });
  if (!opts.dryRun) compact(db);
  return counts;
}

/** Rewrites the database without free pages and empties the WAL (nothing deleted stays readable). */
export function compact(db: StateDb): void {
  db.run("compacting the state database", (d) => {
    d.pragma("secure_delete = ON");
    d.exec("VACUUM");
    d.pragma("wal_checkpoint(TRUNCATE)");
  });
}

interface RunRow {
  run_id: string;
  session_key: string;
  message: string;
}
interface ReplyRow {
  channel: string;
  account_id: string;
  reply_key: string;
  run_id: string | null;
}
interface OutboxRow {
  seq: number;
  channel: string;
  account_id: string;
  reply_key: string;
}
interface InboundRow {
  seq: number;
  channel: string;
  payload: string;
}

function runMatches(r: RunRow, m: EraseMatch): boolean {
  if (m.sessionKeys.includes(r.session_key)) return true;
  const sender = (
    safeJson(openColumn("runs.message", r.message)) as { sender?: { channel?: unknown; id?: unknown } } | undefined
  )?.sender;
  return m.senders.some((s) => sender?.channel === s.channel && String(sender.id) === s.id);
}

/** A reply or chunk addressed to one of the person's own chats (a DM's chat id is the sender id). */
function chatOf(r: { channel: string; reply_key: string }, m: EraseMatch): boolean {
  return m.senders.some((s) => s.channel === r.channel && r.reply_key.startsWith(`${s.id}:`));
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** True when any `from`, `chat`, `user` or `sender` object inside `v` has `id` equal to `id`. */
function mentionsId(v: unknown, id: string): boolean {
  if (Array.isArray(v)) return v.some((x) => mentionsId(x, id));
  if (v === null || typeof v !== "object") return false;
  for (const [k, x] of Object.entries(v)) {
    if (["from", "chat", "user", "sender"].includes(k) && x && typeof x === "object") {
      const xid = (x as { id?: unknown }).id;
      if ((typeof xid === "string" || typeof xid === "number") && String(xid) === id) return true;
    }
    if (mentionsId(x, id)) return true;
  }
  return false;
}
