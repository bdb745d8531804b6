import { hasScope, type Scope } from "./scopes.js";

/** A connected, authenticated client as the broadcaster sees it. */
export interface EventSink {
  readonly connId: string;
  readonly role: "operator" | "node";
  readonly scopes: ReadonlySet<string>;
  sendEvent(event: string, payload: unknown): void;
}

/** Fans gateway events out to authenticated connections. */
export class Broadcaster {
  private readonly sinks = new Map<string, EventSink>();

  add(sink: EventSink): void {
    this.sinks.set(sink.connId, sink);
  }

  remove(connId: string): void {
    this.sinks.delete(connId);
  }

  /** Number of connected, authenticated clients. */
  get size(): number {
    return this.sinks.size;
  }

  /** Sends `event` to every operator connection holding `scope` (default `operator.read`). */
  broadcast(event: string, payload: unknown, scope: Scope = "operator.read"): void {
    for (const sink of this.sinks.values()) {
      if (sink.role === "operator" && hasScope(sink.scopes, scope)) sink.sendEvent(event, payload);
    }
  }

  /** Every sink (for node dispatch and shutdown). */
  all(): EventSink[] {
    return [...this.sinks.values()];
  }
}
