import { randomUUID } from "node:crypto";
import { promises as fsp } from "node:fs";
import path from "node:path";
import { HoldfastError } from "../errors/index.js";
import { appendLinePrivate, ensurePrivateDir, type Clock, type JsonFileStore } from "../infra/index.js";
import { sessionIndexStore, type SessionIndex } from "./index-store.js";
import { canonicalSessionKey } from "./session-key.js";
import type { ChatMessage, SessionMeta } from "./types.js";
import { WriteQueue } from "./write-queue.js";

/** Options for {@link SessionStore}. */
export interface SessionStoreOptions {
  /** `<stateDir>/agents`. */
  readonly agentsDir: string;
  readonly clock: Clock;
  /** Applied to every string written to a transcript (secret redaction). Default: identity. */
  readonly redact?: (text: string) => string;
}

/** Details recorded when a session is first created. */
export type SessionOrigin = Pick<SessionMeta, "channel" | "chatType" | "displayName">;

/**
 * Transcripts and the session index. Layout per agent: `<agentsDir>/<agentId>/sessions/sessions.json`
 * plus one `<sessionId>.jsonl` per session whose first line is a header
 * `{"type":"session","version":3,"id","timestamp"}` (reference §5.3). Files 600, dirs 700.
 *
 * Writes for one session are queued in order and do not block callers' streaming; {@link flush}
 * waits for them (called on shutdown). Reads re-read disk, so CLI changes made while the gateway runs
 * are seen without restart.
 */
export class SessionStore {
  private readonly queue = new WriteQueue();
  private readonly redact: (text: string) => string;

  constructor(private readonly opts: SessionStoreOptions) {
    this.redact = opts.redact ?? ((t) => t);
  }

  /** The sessions dir of an agent. */
  sessionsDir(agentId: string): string {
    return path.join(this.opts.agentsDir, agentId, "sessions");
  }

  /** Returns the meta of `key`, creating the session (index entry + transcript header) if needed. */
  async ensure(key: string, origin: SessionOrigin = {}): Promise<SessionMeta> {
    const { key: k, agentId } = canonicalSessionKey(key);
    const existing = (await this.index(agentId).read())[k];
    if (existing) return existing;
    const dir = this.sessionsDir(agentId);
    await ensurePrivateDir(dir);
    return this.index(agentId).update((idx) => {
      const found = idx[k];
      if (found) return { value: idx, result: found, write: false };
      const now = this.opts.clock.now();
      const meta: SessionMeta = { key: k, sessionId: randomUUID(), agentId, createdAt: now, updatedAt: now, messageCount: 0, ...origin };
      return { value: { ...idx, [k]: meta }, result: meta };
    });
  }

  /** Queues `message` for appending to the session's transcript (creating the session if needed). */
  append(key: string, message: ChatMessage, origin: SessionOrigin = {}): Promise<void> {
    const { key: k, agentId } = canonicalSessionKey(key);
    return this.queue.run(k, async () => {
      const meta = await this.ensure(k, origin);
      const file = this.transcriptPath(agentId, meta.sessionId);
      await this.writeHeaderIfNew(file, meta);
      await appendLinePrivate(file, JSON.stringify({ type: "message", message: redactDeep(message, this.redact) }));
      await this.index(agentId).update((idx) => {
        const cur = idx[k] ?? meta;
        return { value: { ...idx, [k]: { ...cur, updatedAt: message.timestamp, messageCount: cur.messageCount + 1 } }, result: undefined };
      });
    });
  }

  /** The last `limit` messages of a session (oldest first); empty when the session does not exist. */
  async history(key: string, limit = 200): Promise<ChatMessage[]> {
    const { key: k, agentId } = canonicalSessionKey(key);
    await this.queue.idle(k);
    const meta = (await this.index(agentId).read())[k];
    if (!meta) return [];
    const text = await fsp.readFile(this.transcriptPath(agentId, meta.sessionId), "utf8").catch(() => "");
    const messages: ChatMessage[] = [];
    for (const line of text.split("\n")) {
      if (!line) continue;
      const entry = safeJson(line) as { type?: string; message?: ChatMessage } | undefined;
      if (entry?.type === "message" && entry.message) messages.push(entry.message);
    }
    return limit > 0 ? messages.slice(-limit) : messages;
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
    await this.queue.idle(k);
    const removed = await this.index(agentId).update((idx: SessionIndex) => {
      const meta = idx[k];
      if (!meta) return { value: idx, result: undefined, write: false };
      const { [k]: _gone, ...rest } = idx;
      return { value: rest, result: meta };
    });
    if (!removed) return false;
    const file = this.transcriptPath(agentId, removed.sessionId);
    await fsp.rename(file, `${file}.deleted.${this.opts.clock.now()}`).catch((err: NodeJS.ErrnoException) => {
      if (err.code !== "ENOENT") throw new HoldfastError("HF_STATE_IO", `cannot archive transcript of ${k}`, { key: k }, { cause: err });
    });
    return true;
  }

  /** Path of a session's transcript file. */
  transcriptPath(agentId: string, sessionId: string): string {
    return path.join(this.sessionsDir(agentId), `${sessionId}.jsonl`);
  }

  /** Waits until every queued transcript write has reached disk. */
  flush(): Promise<void> {
    return this.queue.drain();
  }

  private indexes = new Map<string, JsonFileStore<SessionIndex>>();
  private index(agentId: string): JsonFileStore<SessionIndex> {
    let s = this.indexes.get(agentId);
    if (!s) {
      s = sessionIndexStore(this.sessionsDir(agentId));
      this.indexes.set(agentId, s);
    }
    return s;
  }

  private async writeHeaderIfNew(file: string, meta: SessionMeta): Promise<void> {
    const exists = await fsp.stat(file).then(() => true, () => false);
    if (!exists) await appendLinePrivate(file, JSON.stringify({ type: "session", version: 3, id: meta.sessionId, timestamp: new Date(meta.createdAt).toISOString() }));
  }
}

function safeJson(line: string): unknown {
  try {
    return JSON.parse(line);
  } catch {
    return undefined;
  }
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
