import type { ConnectionInfo } from "./methods/registry.js";
import { hasScope, type Scope } from "./scopes.js";

/** A connected, authenticated client as the broadcaster sees it. */
export interface EventSink extends ConnectionInfo {
  sendEvent(event: string, payload: unknown): void;
  /** {@link sendEvent} with the payload already serialized (`JSON.stringify(payload)`), for broadcasts. */
  sendEventJson?(event: string, payloadJson: string | undefined): void;
}

/** Listeners of connections opening (after the handshake) and closing. */
export interface ConnectionListener {
  readonly open?: (sink: EventSink) => void;
  readonly close?: (sink: EventSink) => void;
}

/** The authenticated connections: fans gateway events out to them and tells listeners when they come and go. */
export class Broadcaster {
  private readonly sinks = new Map<string, EventSink>();
  private readonly listeners = new Set<ConnectionListener>();

  add(sink: EventSink): void {
    this.sinks.set(sink.connId, sink);
    for (const l of this.listeners) l.open?.(sink);
  }

  remove(connId: string): void {
    const sink = this.sinks.get(connId);
    if (!sink) return;
    this.sinks.delete(connId);
    for (const l of this.listeners) l.close?.(sink);
  }

  /** Calls `listener` for every connection that completes its handshake or closes. Returns an unsubscribe. */
  watch(listener: ConnectionListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Number of connected, authenticated clients. */
  get size(): number {
    return this.sinks.size;
  }

  /**
   * Sends `event` to every operator connection holding `scope` (default `operator.read`). The payload
   * is serialized once for all of them.
   */
  broadcast(event: string, payload: unknown, scope: Scope = "operator.read"): void {
    let json: string | undefined | null = null;
    for (const sink of this.sinks.values()) {
      if (sink.role !== "operator" || !hasScope(sink.scopes, scope)) continue;
      if (!sink.sendEventJson) sink.sendEvent(event, payload);
      else sink.sendEventJson(event, json === null ? (json = JSON.stringify(payload)) : json);
    }
  }

  /** Sends `event` to one connection; false when it is gone. */
  send(connId: string, event: string, payload: unknown): boolean {
    const sink = this.sinks.get(connId);
    sink?.sendEvent(event, payload);
    return sink !== undefined;
  }

  /** Every sink (for node dispatch, presence and shutdown). */
  all(): EventSink[] {
    return [...this.sinks.values()];
  }
}
