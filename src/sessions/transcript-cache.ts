import type { ChatMessage } from "./types.js";

/** Bounds of a {@link TranscriptCache}. */
export interface TranscriptCacheLimits {
  /** Sessions kept (least recently used leave first). */
  readonly sessions: number;
  /** Newest messages kept per session. */
  readonly messagesPerSession: number;
  /** Serialized size (UTF-16 code units of the transcript lines) of every kept message together. */
  readonly bytes: number;
}

/**
 * Default bounds: 200 sessions; 100 messages each, the history the agent loop sends to the model
 * (so a turn reads no file); 8 MiB of transcript lines over all sessions, so memory stays flat
 * however many sessions talk and however long their messages are.
 */
export const TRANSCRIPT_CACHE_DEFAULTS: TranscriptCacheLimits = {
  sessions: 200,
  messagesPerSession: 100,
  bytes: 8 * 2 ** 20,
};

/** The newest messages of one session, as {@link TranscriptCache.get} returns them. */
export interface CachedTranscript {
  readonly sessionId: string;
  /** Oldest first; at most `messagesPerSession`. */
  readonly messages: readonly ChatMessage[];
  /** True while `messages` holds the whole transcript. */
  readonly complete: boolean;
}

interface Entry {
  readonly sessionId: string;
  readonly messages: ChatMessage[];
  /** Serialized size of each message, parallel to `messages`. */
  readonly sizes: number[];
  bytes: number;
  complete: boolean;
}

/**
 * The newest messages of recently used sessions, bounded by construction in sessions, messages per
 * session and total size ({@link TranscriptCacheLimits}): whatever is over a bound is dropped, oldest
 * first, and read from the transcript file when asked for again.
 */
export class TranscriptCache {
  private readonly entries = new Map<string, Entry>();
  private total = 0;

  constructor(private readonly limits: TranscriptCacheLimits = TRANSCRIPT_CACHE_DEFAULTS) {}

  /** The cached messages of `key` when they belong to `sessionId` (marks the session recently used). */
  get(key: string, sessionId: string): CachedTranscript | undefined {
    const e = this.entries.get(key);
    if (!e || e.sessionId !== sessionId) return undefined;
    this.touch(key, e);
    return e;
  }

  /**
   * Replaces the session's messages with the newest of `messages` (the whole transcript, read from
   * disk); `sizeOf` gives a message's serialized size.
   */
  set(key: string, sessionId: string, messages: readonly ChatMessage[], sizeOf: (m: ChatMessage) => number): void {
    this.delete(key);
    const kept = messages.slice(-this.limits.messagesPerSession);
    const e: Entry = { sessionId, messages: [], sizes: [], bytes: 0, complete: kept.length === messages.length };
    this.entries.set(key, e);
    for (const m of kept) this.push(e, m, sizeOf(m));
    this.enforce(key, e);
  }

  /** Adds a message just appended to the session's transcript, when the session is cached. */
  append(key: string, sessionId: string, message: ChatMessage, size: number): void {
    const e = this.entries.get(key);
    if (!e) return;
    if (e.sessionId !== sessionId) return this.delete(key);
    this.push(e, message, size);
    this.touch(key, e);
    this.enforce(key, e);
  }

  /** Forgets a session (deleted, reset or rewritten). */
  delete(key: string): void {
    const e = this.entries.get(key);
    if (!e) return;
    this.total -= e.bytes;
    this.entries.delete(key);
  }

  /** Sessions, messages and serialized size held now. */
  stats(): { readonly sessions: number; readonly messages: number; readonly bytes: number } {
    let messages = 0;
    for (const e of this.entries.values()) messages += e.messages.length;
    return { sessions: this.entries.size, messages, bytes: this.total };
  }

  private push(e: Entry, message: ChatMessage, size: number): void {
    e.messages.push(message);
    e.sizes.push(size);
    e.bytes += size;
    this.total += size;
    if (e.messages.length > this.limits.messagesPerSession) this.dropOldest(e);
  }

  private dropOldest(e: Entry): void {
    e.messages.shift();
    const size = e.sizes.shift() ?? 0;
    e.bytes -= size;
    this.total -= size;
    e.complete = false;
  }

  private touch(key: string, e: Entry): void {
    this.entries.delete(key);
    this.entries.set(key, e);
  }

  /** Least recently used sessions leave first; the session in use last sheds its oldest messages. */
  private enforce(key: string, current: Entry): void {
    for (const k of this.entries.keys()) {
      if (this.entries.size <= this.limits.sessions && this.total <= this.limits.bytes) return;
      if (k !== key) this.delete(k);
    }
    while (this.total > this.limits.bytes && current.messages.length > 0) this.dropOldest(current);
    if (this.entries.size > this.limits.sessions) this.delete(key);
  }
}
