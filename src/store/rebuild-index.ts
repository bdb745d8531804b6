import { promises as fsp } from "node:fs";
import path from "node:path";
import { readFileIfExists } from "../infra/index.js";
import type { Logger } from "../logging/index.js";
import { parseJsonl } from "./jsonl.js";
import type { SessionIndex, SessionIndexEntry } from "./session-index.js";

/** A live transcript file: `<agentsDir>/<agentId>/sessions/<sessionId>.jsonl`. */
const TRANSCRIPT_NAME = /^([a-f0-9-]{36})\.jsonl$/;
const KEY = /^agent:[a-z0-9][a-z0-9_-]{0,63}:[a-z0-9:_\-.+@#=]{1,400}$/;
const AGENT_ID = /^[a-z0-9][a-z0-9_-]{0,63}$/;

/** What a transcript says about its session. */
export interface TranscriptSummary {
  readonly agentId: string;
  readonly sessionId: string;
  readonly file: string;
  /** Session key from the header (transcripts written before keys were recorded have none). */
  readonly key?: string;
  readonly createdAt: number;
  readonly updatedAt: number;
  readonly messageCount: number;
  readonly badLines: number;
  readonly origin: Pick<SessionIndexEntry, "channel" | "chatType" | "displayName">;
}

/** Live transcript files of every agent under `agentsDir` (archived `.deleted.`/`.corrupt.` files excluded). */
export async function listTranscripts(
  agentsDir: string,
): Promise<{ agentId: string; sessionId: string; file: string }[]> {
  const out: { agentId: string; sessionId: string; file: string }[] = [];
  const agents = await fsp.readdir(agentsDir).catch(() => [] as string[]);
  for (const agentId of agents.filter((a) => AGENT_ID.test(a)).sort()) {
    const dir = path.join(agentsDir, agentId, "sessions");
    for (const name of (await fsp.readdir(dir).catch(() => [] as string[])).sort()) {
      const m = TRANSCRIPT_NAME.exec(name);
      if (m) out.push({ agentId, sessionId: m[1] as string, file: path.join(dir, name) });
    }
  }
  return out;
}

/** Reads one transcript's header and counts its messages. */
export async function summarizeTranscript(t: {
  agentId: string;
  sessionId: string;
  file: string;
}): Promise<TranscriptSummary> {
  const [text = "", st] = await Promise.all([readFileIfExists(t.file), fsp.stat(t.file)]);
  const { entries, badLines } = parseJsonl(text);
  let header: Record<string, unknown> = {};
  let count = 0;
  let last = 0;
  for (const e of entries) {
    const rec = (e ?? {}) as Record<string, unknown>;
    if (rec["type"] === "session") header = rec;
    else if (rec["type"] === "message") {
      count++;
      const ts = (rec["message"] as { timestamp?: unknown } | undefined)?.timestamp;
      if (typeof ts === "number" && ts > last) last = ts;
    }
  }
  const created = Date.parse(String(header["timestamp"] ?? "")) || st.birthtimeMs || st.mtimeMs;
  const key = typeof header["key"] === "string" && KEY.test(header["key"]) ? header["key"] : undefined;
  const chatType = header["chatType"];
  return {
    ...t,
    ...(key ? { key } : {}),
    createdAt: Math.floor(created),
    updatedAt: Math.floor(last || st.mtimeMs),
    messageCount: count,
    badLines: badLines.length,
    origin: {
      ...(typeof header["channel"] === "string" ? { channel: header["channel"] } : {}),
      ...(chatType === "direct" || chatType === "group" ? { chatType } : {}),
      ...(typeof header["displayName"] === "string" ? { displayName: header["displayName"] } : {}),
    },
  };
}

/** Options of {@link reconcileIndex}. */
export interface ReconcileOptions {
  readonly index: SessionIndex;
  readonly agentsDir: string;
  readonly log: Logger;
  /** Re-derive counts of indexed sessions too (a full rebuild); default only adopts orphans. */
  readonly full?: boolean;
}

/**
 * Puts every transcript that has no index entry back into the index (a deleted or corrupt index, a
 * session created just before a crash). The key comes from the transcript header; a transcript
 * without one — or whose key now belongs to another session — is indexed as
 * `agent:<agentId>:recovered:<sessionId>` so it shows in `sessions.list` and can be read or deleted.
 * With `full`, indexed sessions get their message count and times re-derived from the transcript.
 * @returns the entries added or corrected
 */
export async function reconcileIndex(opts: ReconcileOptions): Promise<SessionIndexEntry[]> {
  const known = opts.index.sessionIds();
  const changed: SessionIndexEntry[] = [];
  for (const t of await listTranscripts(opts.agentsDir)) {
    const indexed = known.has(t.sessionId);
    if (indexed && !opts.full) continue;
    let s: TranscriptSummary;
    try {
      s = await summarizeTranscript(t);
    } catch (err) {
      opts.log.warn({ file: t.file, err: (err as Error).message }, "transcript unreadable; not indexed");
      continue;
    }
    const entry = indexed ? refreshed(opts.index, s) : adopt(opts.index, s);
    if (!entry) continue;
    changed.push(entry);
    if (!indexed)
      opts.log.warn(
        { key: entry.key, sessionId: s.sessionId, messages: s.messageCount },
        "transcript had no session index entry; re-indexed",
      );
  }
  return changed;
}

function adopt(index: SessionIndex, s: TranscriptSummary): SessionIndexEntry | undefined {
  const owner = s.key ? index.get(s.key) : undefined;
  const key =
    s.key && s.key.startsWith(`agent:${s.agentId}:`) && !owner ? s.key : `agent:${s.agentId}:recovered:${s.sessionId}`;
  const entry: SessionIndexEntry = {
    key,
    sessionId: s.sessionId,
    agentId: s.agentId,
    createdAt: s.createdAt,
    updatedAt: s.updatedAt,
    messageCount: s.messageCount,
    ...s.origin,
  };
  const stored = index.create(entry);
  return stored.sessionId === s.sessionId ? stored : undefined;
}

function refreshed(index: SessionIndex, s: TranscriptSummary): SessionIndexEntry | undefined {
  const cur = index.bySessionId(s.sessionId);
  if (!cur || (cur.messageCount === s.messageCount && cur.updatedAt >= s.updatedAt)) return undefined;
  const next = { ...cur, messageCount: s.messageCount, updatedAt: Math.max(cur.updatedAt, s.updatedAt) };
  index.put(next);
  return next;
}
