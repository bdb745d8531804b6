import { randomUUID } from "node:crypto";
import { promises as fsp } from "node:fs";
import path from "node:path";
import { HoldfastError } from "../errors/index.js";
import { mapStringsDeep, type Clock } from "../infra/index.js";
import { silentLogger, type Logger } from "../logging/index.js";
import { storageError, type SessionIndex, type StorageHealth } from "../store/index.js";
import {
  ARCHIVE_MARKER,
  archiveName,
  listArchives,
  readTranscriptLines,
  rewriteTranscriptFile,
  type RewriteResult,
  type TranscriptArchive,
} from "./archives.js";
import { IndexTouches } from "./index-touches.js";
import { canonicalSessionKey } from "./session-key.js";
import { TRANSCRIPT_CACHE_DEFAULTS, TranscriptCache, type TranscriptCacheLimits } from "./transcript-cache.js";
import { TranscriptLog } from "./transcript-log.js";
import { TranscriptReader, type TranscriptHeader, type TranscriptLine } from "./transcript-read.js";
import type { ChatMessage, SessionMeta } from "./types.js";
import { WriteQueue } from "./write-queue.js";

/** Options for {@link SessionStore}. */
export interface SessionStoreOptions {
  /** `<stateDir>/agents`. */
  readonly agentsDir: string;
  readonly clock: Clock;
  /** The session index and storage health of the state store (`openStateStore`). */
  readonly state: { readonly sessions: SessionIndex; readonly health: StorageHealth };
  readonly log?: Logger;
  /** Applied to every string written to a transcript (secret redaction). Default: identity. */
  readonly redact?: (text: string) => string;
  /**
   * Applied to an assistant message's text before it is written (the outbound leak scan): a reply that
   * was withheld from the user is kept withheld, so history shows what was shown live. Default: identity.
   */
  readonly withholdReply?: (text: string) => string;
  /** Bounds of the messages kept in memory (default {@link TRANSCRIPT_CACHE_DEFAULTS}). */
  readonly cache?: Partial<TranscriptCacheLimits>;
}

/** Details recorded when a session is first created. */
export type SessionOrigin = Pick<SessionMeta, "channel" | "chatType" | "displayName">;

/** A change of the session store, as {@link SessionStore.onChange} listeners see it. */
export type SessionChange =
  | { readonly type: "created"; readonly meta: SessionMeta }
  | { readonly type: "message"; readonly meta: SessionMeta; readonly message: ChatMessage; readonly seq: number }
  | { readonly type: "deleted"; readonly meta: SessionMeta };

/** Store name in health conditions. */
const TRANSCRIPTS = "transcripts";

/**
 * Transcripts and the session index. The index is a table of the state database (shared with CLI
 * commands, committed on change); each session's messages are a JSONL file
 * `<agentsDir>/<agentId>/sessions/<sessionId>.jsonl` whose first line is a header
 * `{"type":"session","version":3,"id","timestamp","key","agentId",...origin}` (reference §5.3, plus the
 * key and origin so the index can be rebuilt from the transcripts). Files 600, dirs 700.
 *
 * Appends update memory at once and reach disk in the background (group commit); {@link flush}
 * waits for the disk (called on shutdown). The message that acknowledges a user is committed in the
 * run ledger first, so a transcript write lost to a crash is restored from there at the next start.
 * Storage failures reject with HF_STATE_* errors and mark the `transcripts` store degraded until a
 * write succeeds again.
 */
export class SessionStore {
  private readonly order = new WriteQueue();
  private readonly log: TranscriptLog;
  private readonly reader: TranscriptReader;
  private readonly touches: IndexTouches;
  private readonly transcripts: TranscriptCache;
  private readonly listeners = new Set<(change: SessionChange) => void>();
  private readonly redact: (text: string) => string;
  private readonly index: SessionIndex;

  constructor(private readonly opts: SessionStoreOptions) {
    const log = opts.log ?? silentLogger();
    this.redact = opts.redact ?? ((t) => t);
    this.index = opts.state.sessions;
    this.transcripts = new TranscriptCache({ ...TRANSCRIPT_CACHE_DEFAULTS, ...opts.cache });
    this.reader = new TranscriptReader(log);
    this.touches = new IndexTouches(this.index, log);
    this.log = new TranscriptLog((file, droppedBytes) =>
      log.warn(
        { file, droppedBytes },
        "transcript ended with a torn line from an interrupted write; cut to the last complete line",
      ),
    );
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

  /**
   * Returns the meta of `key`, creating the session (index entry committed, transcript header queued)
   * if needed.
   * @throws HoldfastError HF_SESSION_KEY_INVALID, HF_STATE_* (index not writable)
   */
  async ensure(key: string, origin: SessionOrigin = {}): Promise<SessionMeta> {
    const { key: k, agentId } = canonicalSessionKey(key);
    const existing = this.index.get(k);
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
    const created = this.index.create(meta);
    if (created.sessionId === meta.sessionId) {
      this.emit({ type: "created", meta: created });
      const header: TranscriptLine = {
        type: "session",
        version: 3,
        id: meta.sessionId,
        timestamp: new Date(now).toISOString(),
        key: k,
        agentId,
        ...origin,
      };
      void this.write(this.transcriptPath(agentId, meta.sessionId), JSON.stringify(header)).catch(() => undefined);
    }
    return created;
  }

  /**
   * Appends `message` (creating the session if needed). Memory is updated in order at once; resolves
   * when the line is written (fsynced within 250 ms, or by {@link flush}).
   * @throws HoldfastError HF_STATE_DISK_FULL / HF_STATE_FD_LIMIT / HF_STATE_IO (rejection)
   */
  append(key: string, message: ChatMessage, origin: SessionOrigin = {}): Promise<void> {
    const { key: k, agentId } = canonicalSessionKey(key);
    let disk: Promise<void> = Promise.resolve();
    const ordered = this.order.run(k, async () => {
      const meta = await this.ensure(k, origin);
      const clean = redactDeep(this.withheld(message), this.redact);
      const line = JSON.stringify({ type: "message", message: clean } satisfies TranscriptLine);
      this.transcripts.append(k, meta.sessionId, clean, line.length);
      disk = this.write(this.transcriptPath(agentId, meta.sessionId), line);
      this.touches.add(k, message.timestamp);
      const seq = meta.messageCount + this.touches.pendingMessages(k);
      this.emit({
        type: "message",
        meta: { ...meta, updatedAt: message.timestamp, messageCount: seq },
        message: clean,
        seq,
      });
    });
    return ordered.then(() => disk);
  }

  private withheld(message: ChatMessage): ChatMessage {
    const withhold = this.opts.withholdReply;
    if (!withhold || message.role !== "assistant" || !message.content) return message;
    const content = withhold(message.content);
    return content === message.content ? message : { ...message, content };
  }

  /** The last `limit` messages of a session (oldest first; `limit` ≤ 0: all); empty when it does not exist. */
  async history(key: string, limit = 200): Promise<ChatMessage[]> {
    const { key: k, agentId } = canonicalSessionKey(key);
    await this.order.idle(k);
    const meta = this.index.get(k);
    if (!meta) return [];
    const cached = this.transcripts.get(k, meta.sessionId);
    const wantAll = limit <= 0;
    if (cached && (cached.complete || (!wantAll && limit <= cached.messages.length))) {
      return wantAll ? [...cached.messages] : cached.messages.slice(-limit);
    }
    await this.log.flush().catch(() => undefined);
    const all = await this.reader.read(this.transcriptPath(agentId, meta.sessionId));
    this.transcripts.set(k, meta.sessionId, all, lineSize);
    return wantAll ? all : all.slice(-limit);
  }

  /** Every session of every agent (or of `agentId`), newest first. */
  async list(agentId?: string): Promise<SessionMeta[]> {
    return this.index
      .list(agentId)
      .map((m) => this.touches.overlay(m))
      .sort((a, b) => b.updatedAt - a.updatedAt);
  }

  /** The meta of one session, or undefined. */
  async get(key: string): Promise<SessionMeta | undefined> {
    const meta = this.index.get(canonicalSessionKey(key).key);
    return meta && this.touches.overlay(meta);
  }

  /**
   * Deletes a session: removes its index entry and renames its transcript to
   * `<sessionId>.jsonl.deleted.<timestamp>` (reference §10.2), or with `purge` removes it outright.
   * Returns false when it did not exist.
   * @throws HoldfastError HF_STATE_IO when the transcript cannot be moved or removed
   */
  async delete(key: string, opts: { readonly purge?: boolean } = {}): Promise<boolean> {
    const { key: k, agentId } = canonicalSessionKey(key);
    await this.order.idle(k);
    const meta = this.index.delete(k);
    if (!meta) return false;
    this.touches.drop(k);
    this.transcripts.delete(k);
    this.emit({ type: "deleted", meta });
    const file = this.transcriptPath(agentId, meta.sessionId);
    await this.log.close(file).catch(() => undefined);
    const done = opts.purge ? fsp.rm(file) : fsp.rename(file, archiveName(file, this.opts.clock.now()));
    await done.catch((err: NodeJS.ErrnoException) => {
      if (err.code !== "ENOENT")
        throw new HoldfastError("HF_STATE_IO", `cannot archive transcript of ${k}`, { key: k }, { cause: err });
    });
    return true;
  }

  /**
   * Rewrites a session's transcript keeping the messages `keep` returns (oldest first), in the
   * session's write order: pending appends land first, the file is replaced atomically, the index
   * count and the memory cache follow. The session itself stays.
   * @throws HoldfastError HF_STATE_IO when the transcript cannot be written
   */
  async rewrite(
    key: string,
    keep: (messages: readonly ChatMessage[]) => readonly ChatMessage[],
  ): Promise<RewriteResult> {
    const { key: k, agentId } = canonicalSessionKey(key);
    return this.order.run(k, async () => {
      const meta = this.index.get(k);
      if (!meta) return { kept: 0, removed: 0 };
      const file = this.transcriptPath(agentId, meta.sessionId);
      this.touches.flush();
      await this.log.close(file);
      const result = await rewriteTranscriptFile(file, keep);
      if (result.removed > 0) {
        this.transcripts.delete(k);
        this.index.setMessageCount(k, result.kept);
      }
      return result;
    });
  }

  /** Size of a session's transcript in bytes (0 when missing). */
  async transcriptBytes(meta: Pick<SessionMeta, "agentId" | "sessionId">): Promise<number> {
    const st = await fsp.stat(this.transcriptPath(meta.agentId, meta.sessionId)).catch(() => undefined);
    return st?.size ?? 0;
  }

  /** Transcripts of deleted sessions (`<sessionId>.jsonl.deleted.<ts>`), oldest first. */
  archives(): Promise<TranscriptArchive[]> {
    return listArchives(this.opts.agentsDir);
  }

  /** The header and messages of an archive listed by {@link archives}. */
  async readArchive(
    archive: Pick<TranscriptArchive, "file">,
  ): Promise<{ header?: TranscriptHeader; messages: ChatMessage[] }> {
    const lines = await readTranscriptLines(this.archiveFile(archive));
    const header = lines.find((l): l is TranscriptHeader => l.type === "session");
    return { ...(header ? { header } : {}), messages: lines.flatMap((l) => (l.type === "message" ? [l.message] : [])) };
  }

  /** Rewrites an archive keeping the messages `keep` returns (see {@link rewrite}). */
  rewriteArchive(
    archive: Pick<TranscriptArchive, "file">,
    keep: (messages: readonly ChatMessage[]) => readonly ChatMessage[],
  ): Promise<RewriteResult> {
    return rewriteTranscriptFile(this.archiveFile(archive), keep);
  }

  /** Removes one archive listed by {@link archives}. @throws HoldfastError HF_STATE_IO */
  async removeArchive(archive: Pick<TranscriptArchive, "file">): Promise<void> {
    await fsp.rm(this.archiveFile(archive), { force: true }).catch((err: unknown) => {
      throw new HoldfastError("HF_STATE_IO", `cannot remove ${archive.file}`, { path: archive.file }, { cause: err });
    });
  }

  /** Waits until every queued write has reached disk (fsynced). Rejects with the first failure. */
  async flush(): Promise<void> {
    await this.order.drain();
    this.touches.flush();
    await this.log.flush();
  }

  /** Flushes and closes open transcript files (shutdown). */
  async close(): Promise<void> {
    await this.flush();
    await this.log.closeAll();
  }

  private archiveFile(archive: Pick<TranscriptArchive, "file">): string {
    const rel = path.relative(this.opts.agentsDir, archive.file);
    if (rel.startsWith("..") || path.isAbsolute(rel) || !path.basename(rel).includes(ARCHIVE_MARKER))
      throw new HoldfastError("HF_INTERNAL", `not a transcript archive: ${archive.file}`);
    return archive.file;
  }

  private async write(file: string, line: string): Promise<void> {
    const health = this.opts.state.health;
    try {
      await this.log.append(file, line);
    } catch (err) {
      const e = storageError(TRANSCRIPTS, "saving the transcript", err);
      health.fail(TRANSCRIPTS, e);
      throw e;
    }
    health.ok(TRANSCRIPTS);
  }

  /** Messages and serialized size held in memory now (see {@link SessionStoreOptions.cache}). */
  cacheStats(): ReturnType<TranscriptCache["stats"]> {
    return this.transcripts.stats();
  }
}

/** Applies `redact` to every string inside `value` (objects and arrays are copied). */
export function redactDeep<T>(value: T, redact: (s: string) => string): T {
  return mapStringsDeep(value, redact);
}

/** The serialized size of a message as its transcript line. */
function lineSize(message: ChatMessage): number {
  return JSON.stringify({ type: "message", message }).length;
}
