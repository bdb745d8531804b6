/** A connected node host as operators see it. Times are ms since the epoch. */
export interface NodeInfo {
  /** The node's device id (hex SHA-256 of its Ed25519 public key). */
  readonly nodeId: string;
  readonly displayName: string;
  /** Commands the node offers (`system.run`). */
  readonly commands: readonly string[];
  readonly connectedAt: number;
}

/** A node connection's registration: what operators see plus its connection and event sender. */
export interface NodeRegistration extends NodeInfo {
  readonly connId: string;
  readonly send: (event: string, payload: unknown) => void;
}

type Entry = NodeRegistration;

/**
 * Node hosts connected to this gateway (role `node`, paired device). A node registers its commands
 * after the handshake; entries of closed connections are dropped on every read (`connected` tells
 * which connection ids are still open).
 */
export class NodeRegistry {
  private readonly byConn = new Map<string, Entry>();

  constructor(private readonly connected: () => ReadonlySet<string>) {}

  /** Records (or replaces) the registration of a node connection. */
  register({ connId, nodeId, displayName, commands, connectedAt, send }: NodeRegistration): NodeInfo {
    for (const [id, e] of this.byConn) if (e.nodeId === nodeId && id !== connId) this.byConn.delete(id);
    const entry: Entry = { connId, nodeId, displayName, commands: [...new Set(commands)], connectedAt, send };
    this.byConn.set(connId, entry);
    return view(entry);
  }

  /** Connected nodes. */
  list(): NodeInfo[] {
    return this.live().map(view);
  }

  /** The live entry of a node id, or undefined. */
  find(nodeId: string): Entry | undefined {
    return this.live().find((e) => e.nodeId === nodeId.trim().toLowerCase());
  }

  private live(): Entry[] {
    const open = this.connected();
    for (const id of [...this.byConn.keys()]) if (!open.has(id)) this.byConn.delete(id);
    return [...this.byConn.values()];
  }
}

function view(e: Entry): NodeInfo {
  return { nodeId: e.nodeId, displayName: e.displayName, commands: e.commands, connectedAt: e.connectedAt };
}
