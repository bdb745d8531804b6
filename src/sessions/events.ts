import type { GatewayConnections } from "../gateway/index.js";
import type { SessionChange, SessionStore } from "./store.js";
import type { SessionMeta } from "./types.js";
import { previewOf, sessionRow, toWireMessage } from "./wire.js";

/** What the session event fan-out needs. */
export interface SessionEventsDeps {
  readonly store: Pick<SessionStore, "onChange" | "get">;
  /** Sends one connection an event; closed connections are forgotten. */
  readonly connections: Pick<GatewayConnections, "send" | "watch">;
  /** True while a run of the session is queued or running. */
  readonly isActive: (sessionKey: string) => boolean;
  readonly now: () => number;
}

/**
 * The session subscriptions of gateway connections (reference `sessions.subscribe`,
 * `sessions.messages.subscribe`): a list subscriber gets `sessions.changed {sessionKey, agentId,
 * reason, ts, session?}` whenever a session is created, gets a message, starts or ends a run, or is
 * deleted (a delete carries `sessionId` and no row); a message subscriber of one session gets
 * `session.message {sessionKey, agentId, message, messageSeq, session}` for each message appended to
 * it. Only connections that subscribed (which needs operator.read) get these events; a closed
 * connection's subscriptions are dropped.
 */
export class SessionEvents {
  private readonly listSubscribers = new Set<string>();
  private readonly messageSubscribers = new Map<string, Set<string>>();

  constructor(private readonly deps: SessionEventsDeps) {
    deps.store.onChange((c) => this.onChange(c));
    deps.connections.watch({ close: (sink) => this.forget(sink.connId) });
  }

  subscribe(connId: string): void {
    this.listSubscribers.add(connId);
  }

  unsubscribe(connId: string): void {
    this.listSubscribers.delete(connId);
  }

  subscribeMessages(connId: string, key: string): void {
    const set = this.messageSubscribers.get(key) ?? new Set<string>();
    set.add(connId);
    this.messageSubscribers.set(key, set);
  }

  unsubscribeMessages(connId: string, key: string): void {
    const set = this.messageSubscribers.get(key);
    set?.delete(connId);
    if (set?.size === 0) this.messageSubscribers.delete(key);
  }

  /** Tells list subscribers a session's run started or ended (its row `status` changed). */
  async runChanged(sessionKey: string, reason: "agent.run.started" | "agent.run.ended"): Promise<void> {
    if (this.listSubscribers.size === 0) return;
    const meta = await this.deps.store.get(sessionKey);
    if (meta) this.changed(meta, reason);
  }

  private onChange(c: SessionChange): void {
    if (c.type === "deleted") {
      const payload = {
        sessionKey: c.meta.key,
        agentId: c.meta.agentId,
        sessionId: c.meta.sessionId,
        reason: "delete",
        ts: this.deps.now(),
      };
      for (const id of this.listSubscribers) this.deps.connections.send(id, "sessions.changed", payload);
      return;
    }
    if (c.type === "created") return this.changed(c.meta, "create");
    const subs = this.messageSubscribers.get(c.meta.key);
    // Nobody listens: the row (and its preview) would be built for nothing, on every message.
    if (!subs && this.listSubscribers.size === 0) return;
    const preview = previewOf(c.message);
    const row = sessionRow(c.meta, {
      active: this.deps.isActive(c.meta.key),
      ...(preview ? { lastMessagePreview: preview } : {}),
    });
    this.changed(c.meta, "message", row);
    if (!subs) return;
    const payload = {
      sessionKey: c.meta.key,
      agentId: c.meta.agentId,
      message: toWireMessage(c.message, c.seq),
      messageSeq: c.seq,
      session: row,
    };
    for (const id of subs) this.deps.connections.send(id, "session.message", payload);
  }

  private changed(meta: SessionMeta, reason: string, row?: Record<string, unknown>): void {
    if (this.listSubscribers.size === 0) return;
    const payload = {
      sessionKey: meta.key,
      agentId: meta.agentId,
      reason,
      ts: this.deps.now(),
      session: row ?? sessionRow(meta, { active: this.deps.isActive(meta.key) }),
    };
    for (const id of this.listSubscribers) this.deps.connections.send(id, "sessions.changed", payload);
  }

  private forget(connId: string): void {
    this.listSubscribers.delete(connId);
    for (const key of [...this.messageSubscribers.keys()]) this.unsubscribeMessages(connId, key);
  }
}
