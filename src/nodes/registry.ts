import type { EventSink, GatewayConnections } from "../gateway/index.js";

/** A connected node host as operators see it. Times are ms since the epoch. */
export interface NodeInfo {
  /** The node's device id (hex SHA-256 of its Ed25519 public key). */
  readonly nodeId: string;
  /** `client.displayName` of its `connect` (else its client id). */
  readonly displayName: string;
  /** Commands it declared in `connect.params.commands` (`system.run`, ...). */
  readonly commands: readonly string[];
  /** Capability groups it declared in `connect.params.caps`. */
  readonly caps: readonly string[];
  readonly clientId: string;
  readonly clientMode?: string;
  readonly platform?: string;
  readonly version?: string;
  readonly deviceFamily?: string;
  readonly connectedAt: number;
  /** The last `node.host.stats` it reported (cpu, memory, disk), with the gateway's receipt time. */
  readonly hostStats?: Record<string, unknown>;
}

/** A live node connection: its view, and how to send it an event. */
export interface NodeEntry extends NodeInfo {
  readonly connId: string;
  readonly send: (event: string, payload: unknown) => void;
}

/**
 * The node hosts connected to this gateway: every connection with role `node` and a device (a node
 * must present a paired device to connect at all, so an unpaired node is never listed and can be
 * invoked by nothing). A node is registered by its `connect` — client, caps and commands — and
 * forgotten when the connection closes; a newer connection of the same device replaces the older.
 */
export class NodeRegistry {
  private readonly stats = new Map<string, Record<string, unknown>>();

  constructor(private readonly connections: Pick<GatewayConnections, "all" | "watch">) {
    connections.watch({ close: (s) => this.stats.delete(s.connId) });
  }

  /** Connected nodes, oldest connection first (one per device: the newest connection). */
  list(): NodeInfo[] {
    return this.live().map(({ send: _s, connId: _c, ...view }) => view);
  }

  /** The live entry of a node id (case-insensitive), or undefined. */
  find(nodeId: string): NodeEntry | undefined {
    const id = nodeId.trim().toLowerCase();
    return this.live().find((e) => e.nodeId === id);
  }

  /** The node of a connection, or undefined (a connection of another role, or a superseded one). */
  byConnection(connId: string): NodeEntry | undefined {
    return this.live().find((e) => e.connId === connId);
  }

  /** Records a `node.host.stats` report of a connection, stamped with the gateway's time. */
  setHostStats(connId: string, stats: Record<string, unknown>, now: number): void {
    this.stats.set(connId, { ...stats, updatedAtMs: now });
  }

  private live(): NodeEntry[] {
    const newest = new Map<string, EventSink>();
    for (const s of this.connections.all())
      if (s.role === "node" && s.deviceId) {
        const prev = newest.get(s.deviceId);
        if (!prev || prev.connectedAt <= s.connectedAt) newest.set(s.deviceId, s);
      }
    return [...newest.values()].sort((a, b) => a.connectedAt - b.connectedAt).map((s) => this.entry(s));
  }

  private entry(s: EventSink): NodeEntry {
    const stats = this.stats.get(s.connId);
    return {
      nodeId: s.deviceId as string,
      displayName: s.client.displayName ?? s.client.id,
      commands: s.commands,
      caps: s.caps,
      clientId: s.client.id,
      ...(s.client.mode ? { clientMode: s.client.mode } : {}),
      ...(s.client.platform ? { platform: s.client.platform } : {}),
      ...(s.client.version ? { version: s.client.version } : {}),
      ...(s.client.deviceFamily ? { deviceFamily: s.client.deviceFamily } : {}),
      connectedAt: s.connectedAt,
      ...(stats ? { hostStats: stats } : {}),
      connId: s.connId,
      send: (event, payload) => s.sendEvent(event, payload),
    };
  }
}
