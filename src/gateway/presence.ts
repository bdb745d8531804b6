import os from "node:os";
import type { EventSink } from "./broadcaster.js";

/** One row of `system-presence`: the gateway itself or one authenticated connection (reference §3.3 presence). */
export type PresenceEntry = Record<string, unknown> & {
  readonly mode: string;
  readonly reason: string;
  readonly ts: number;
};

/**
 * The presence snapshot: the gateway (`mode:"gateway"`, `reason:"self"`) first, then one entry per
 * authenticated connection with the client it declared, its role and granted scopes, and its device
 * id when it has one. No addresses and no credentials.
 */
export function presenceSnapshot(
  self: { readonly version: string; readonly instanceId: string; readonly startedAt: number },
  connections: readonly EventSink[],
): PresenceEntry[] {
  const host = os.hostname();
  const gateway: PresenceEntry = {
    host,
    version: self.version,
    platform: `${process.platform} ${os.release()}`,
    mode: "gateway",
    reason: "self",
    instanceId: self.instanceId,
    text: `Gateway: ${host} · app ${self.version} · mode gateway · reason self`,
    ts: self.startedAt,
  };
  return [gateway, ...connections.map(connectionEntry)];
}

function connectionEntry(c: EventSink): PresenceEntry {
  const name = c.client.displayName ?? c.client.id;
  const mode = c.client.mode ?? c.role;
  return {
    host: name,
    clientId: c.client.id,
    mode,
    ...(c.client.version ? { version: c.client.version } : {}),
    ...(c.client.platform ? { platform: c.client.platform } : {}),
    ...(c.client.deviceFamily ? { deviceFamily: c.client.deviceFamily } : {}),
    ...(c.deviceId ? { deviceId: c.deviceId } : {}),
    ...(c.client.instanceId ? { instanceId: c.client.instanceId } : {}),
    roles: [c.role],
    scopes: [...c.scopes],
    reason: "connect",
    text: `Node: ${c.role === "node" ? name : "unknown"} · mode ${mode}`,
    ts: c.connectedAt,
  };
}
