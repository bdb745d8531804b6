import { randomUUID } from "node:crypto";
import { promises as fsp } from "node:fs";
import path from "node:path";
import { HoldfastError } from "../errors/index.js";
import type { Clock } from "../infra/index.js";
import { IndexCache } from "./index-cache.js";
import { canonicalSessionKey } from "./session-key.js";
import { TranscriptLog } from "./transcript-log.js";
import type { ChatMessage, SessionMeta } from "./types.js";
import { WriteQueue } from "./write-queue.js";

/** Options for {@link SessionStore}. */
export interface SessionStoreOptions {
  /** `<stateDir>/agents`. */
  readonly agentsDir: string;
  readonly clock: Clock;
  /** Applied to every string written to a transcript (secret redaction). Default: identity. */
  readonly redact?: (text: string) => string;
  /** Sessions whose messages are kept in memory (LRU). Default 200. */
  readonly cachedSessions?: number;
}

/** Details recorded when a session is first created. */
export type SessionOrigin = Pick<SessionMeta, "channel" | "chatType" | "displayName">;

interface CachedTranscript {
  readonly sessionId: string;
  /** The newest messages (at most {@link MAX_CACHED_MESSAGES}). */
  readonly messages: ChatMessage[];
  /** True while `messages` holds the whole transcript. */
  complete: boolean;
}

/** A change of the session store, as {@link SessionStore.onChange} listeners see it. */
export type SessionChange =
  | { readonly type: "created"; readonly meta: SessionMeta }
  | { readonly type: "message"; readonly meta: SessionMeta; readonly message: ChatMessage; readonly seq: number }
  | { readonly type: "deleted"; readonly meta: SessionMeta };

/** Messages of one session kept in memory; older ones are read from disk when asked for. */
const MAX_CACHED_MESSAGES = 1000;

/**
 * Transcripts and the session index. Layout per agent: `<agentsDir>/<agentId>/sessions/sessions.json`
 * plus one `<sessionId>.jsonl` per session whose first line is a header
 * `{"type":"session","version":3,"id","timestamp"}` (reference §5.3). Files 600, dirs 700.
 *
 * Appends update memory at once and reach disk in the background (group commit); {@link flush}
 * waits for the disk (called on shutdown). The index is re-validated against the file's mtime, so
 * changes made by CLI commands while the gateway runs are seen without restart.
 */
export class SessionStore {
  private readonly order = new WriteQueue();
  private readonly log = new TranscriptLog();
  private readonly indexes = new Map<string, IndexCache>();
  private readonly transcripts = new Map<string, CachedTranscript>();
  private readonly listeners = new Set<(change: SessionChange) => void>();
  private readonly redact: (text: string) => string;

  constructor(private readonly opts: SessionStoreOptions) {
    this.redact = opts.redact ?? ((t) => t);
  }

  /**
   * Calls `listener` after every change, in order: a session created, a message appended (redacted,
   * with its 1-based position in the transcript), a session deleted. Listener errors are swallowed.
   * Returns an unsubscribe.
   */
  onChange(listener: (change: SessionChange) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private emit(change: SessionChange): void {
    for (const l of this.listeners) {
      try {
        l(change);
      } catch {
        // A listener (event fan-out) must never break a write.
      }
    }
  }

  /** The sessions dir of an agent. */
  sessionsDir(agentId: string): string {
    return path.join(this.opts.agentsDir, agentId, "sessions");
  }

  /** Path of a session's transcript file. */
  transcriptPath(agentId: string, sessionId: string): string {
    return path.join(this.sessionsDir(agentId), `${sessionId}.jsonl`);
  }

  /** Returns the meta of `key`, creating the session (index entry + transcript header) if needed. */
  async ensure(key: string, origin: SessionOrigin = {}): Promise<SessionMeta> {
    const { key: k, agentId } = canonicalSessionKey(key);
    const existing = (await this.index(agentId).read())[k];
    if (existing) return existing;
    const now = this.opts.clock.now();
    const meta: SessionMeta = {
      key: k,
      sessionId: randomUUID(),
      agentId,
      createdAt: now,
      updatedAt: now,
      messageCount: 0,
      ...origin,
    };
    const created = this.index(agentId).change(k, (cur) => cur ?? meta, true) ?? meta;
    if (created.sessionId === meta.sessionId) {
      this.emit({ type: "created", meta: created });
      void this.log
        .append(
          this.transcriptPath(agentId, meta.sessionId),
          JSON.stringify({ type: "session", version: 3, id: meta.sessionId, timestamp: new Date(now).toISOString() }),
        )
        .catch(() => undefined);
    }
    return created;
  }

  /** Appends `message` (creating the session if needed). Memory is updated in order at once; resolves when on disk. */
  append(key: string, message: ChatMessage, origin: SessionOrigin = {}): Promise<void> {
    const { key: k, agentId } = canonicalSessionKey(key);
    let disk: Promise<void> = Promise.resolve();
    const ordered = this.order.run(k, async () => {
      const meta = await this.ensure(k, origin);
      const clean = redactDeep(message, this.redact);
      const cached = this.transcripts.get(k);
      if (cached?.sessionId === meta.sessionId) {
        cached.messages.push(clean);
        if (cached.messages.length > MAX_CACHED_MESSAGES) {
          cached.messages.splice(0, cached.messages.length - MAX_CACHED_MESSAGES);
          cached.complete = false;
        }
      }
      disk = this.log.append(
        this.transcriptPath(agentId, meta.sessionId),
        JSON.stringify({ type: "message", message: clean }),
      );
      const updated = this.index(agentId).change(k, (cur) =>
        cur ? { ...cur, updatedAt: message.timestamp, messageCount: cur.messageCount + 1 } : cur,
      );
      if (updated) this.emit({ type: "message", meta: updated, message: clean, seq: updated.messageCount });
    });
    return ordered.then(() => disk);
  }

  /** The last `limit` messages of a session (oldest first); empty when the session does not exist. */
  async history(key: string, limit = 200): Promise<ChatMessage[]> {
    const { key: k, agentId } = canonicalSessionKey(key);
    await this.order.idle(k);
    const meta = (await this.index(agentId).read())[k];
    if (!meta) return [];
    const cached = this.transcripts.get(k);
    const wantAll = limit <= 0;
    if (cached?.sessionId === meta.sessionId && (cached.complete || (!wantAll && limit <= cached.messages.length))) {
      return wantAll ? [...cached.messages] : cached.messages.slice(-limit);
    }
    await this.log.flush().catch(() => undefined);
    const all = await readTranscript(this.transcriptPath(agentId, meta.sessionId));
    this.remember(k, {
      sessionId: meta.sessionId,
      messages: all.slice(-MAX_CACHED_MESSAGES),
      complete: all.length <= MAX_CACHED_MESSAGES,
    });
    return wantAll ? all : all.slice(-limit);
  }

  /** Every session of every agent (or of `agentId`), newest first. */
  async list(agentId?: string): Promise<SessionMeta[]> {
    const agents = agentId ? [agentId] : await fsp.readdir(this.opts.agentsDir).catch(() => [] as string[]);
    const out: SessionMeta[] = [];
    for (const a of agents) out.push(...Object.values(await this.index(a).read()));
    return out.sort((x, y) => y.updatedAt - x.updatedAt);
  }

  /** The meta of one session, or undefined. */
  async get(key: string): Promise<SessionMeta | undefined> {
    const { key: k, agentId } = canonicalSessionKey(key);
    return (await this.index(agentId).read())[k];
  }

  /**
   * Deletes a session: removes its index entry and renames its transcript to
   * `<sessionId>.jsonl.deleted.<timestamp>` (reference §10.2). Returns false when it did not exist.
   */
  async delete(key: string): Promise<boolean> {
    const { key: k, agentId } = canonicalSessionKey(key);
    await this.order.idle(k);
    const meta = (await this.index(agentId).read())[k];
    if (!meta) return false;
    this.index(agentId).change(k, () => undefined, true);
    this.transcripts.delete(k);
    this.emit({ type: "deleted", meta });
    const file = this.transcriptPath(agentId, meta.sessionId);
    await Promise.all([this.index(agentId).flush(), this.log.close(file)]);
    await fsp.rename(file, `${file}.deleted.${this.opts.clock.now()}`).catch((err: NodeJS.ErrnoException) => {
      if (err.code !== "ENOENT")
        throw new HoldfastError("HF_STATE_IO", `cannot archive transcript of ${k}`, { key: k }, { cause: err });
    });
    return true;
  }

  /** Waits until every queued write has reached disk (fsynced). */
  async flush(): Promise<void> {
    await this.order.drain();
    await Promise.all([this.log.flush(), ...[...this.indexes.values()].map((i) => i.flush())]);
  }

  /** Flushes and closes open transcript files (shutdown). */
  async close(): Promise<void> {
    await this.flush();
    await this.log.closeAll();
  }

  private index(agentId: string): IndexCache {
    let s = this.indexes.get(agentId);
    if (!s) {
      s = new IndexCache(this.sessionsDir(agentId));
      this.indexes.set(agentId, s);
    }
    return s;
  }

  private remember(key: string, t: CachedTranscript): void {
    this.transcripts.delete(key);
    this.transcripts.set(key, t);
    const max = this.opts.cachedSessions ?? 200;
    while (this.transcripts.size > max) this.transcripts.delete(this.transcripts.keys().next().value as string);
  }
}

async function readTranscript(file: string): Promise<ChatMessage[]> {
  const text = await fsp.readFile(file, "utf8").catch(() => "");
  const out: ChatMessage[] = [];
  for (const line of text.split("\n")) {
    if (!line) continue;
    try {
      const entry = JSON.parse(line) as { type?: string; message?: ChatMessage };
      if (entry.type === "message" && entry.message) out.push(entry.message);
    } catch {
      // A torn last line (crash mid-write) is skipped; every complete line is kept.
    }
  }
  return out;
}

/** Applies `redact` to every string inside `value` (objects and arrays are copied). */
export function redactDeep<T>(value: T, redact: (s: string) => string): T {
  if (typeof value === "string") return redact(value) as T;
  if (Array.isArray(value)) return value.map((v) => redactDeep(v, redact)) as T;
  if (value !== null && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = redactDeep(v, redact);
    return out as T;
  }
  return value;
}
