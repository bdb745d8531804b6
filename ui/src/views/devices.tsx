import type { Controller } from "../controller.js";
import { ago } from "./sessions.js";
import { Actions, useRequest } from "./use-request.js";

interface DeviceList {
  readonly pending: readonly {
    requestId: string;
    deviceId: string;
    role: string;
    scopes: string[];
    displayName?: string;
    platform?: string;
    remoteIp: string;
    createdAt: number;
  }[];
  readonly paired: readonly {
    deviceId: string;
    role: string;
    scopes: string[];
    displayName?: string;
    platform?: string;
    approvedAt: number;
    lastSeenAt?: number;
    lastIp?: string;
  }[];
}

interface NodeList {
  readonly nodes: readonly { nodeId: string; displayName: string; commands: string[]; connectedAt: number }[];
}

/** Paired devices (revoke), pending device requests (approve / reject), connected node hosts. */
export function DevicesView({ controller }: { controller: Controller }) {
  const devices = useRequest<DeviceList>(controller, "device.pair.list");
  const nodes = useRequest<NodeList>(controller, "nodes.list");
  const short = (id: string) => `${id.slice(0, 12)}…`;
  return (
    <section class="panel" aria-labelledby="devices-h">
      <h2 id="devices-h">Devices and nodes</h2>
      {devices.error ? <p class="error">{devices.error}</p> : null}
      <h3>Pending device requests</h3>
      {devices.data?.pending.length ? null : <p class="empty">No device is waiting for approval.</p>}
      <ul id="device-pending" class="cards">
        {devices.data?.pending.map((d) => (
          <li key={d.requestId} data-request={d.requestId}>
            <p>
              <strong>{d.displayName ?? d.platform ?? "device"}</strong> ({d.role}) from {d.remoteIp} ·{" "}
              {ago(d.createdAt)}
            </p>
            <p class="meta">
              {short(d.deviceId)} · scopes: {d.scopes.join(", ") || "none"}
            </p>
            <Actions
              controller={controller}
              reload={devices.reload}
              actions={[
                { label: "Approve", method: "device.pair.approve", params: { requestId: d.requestId } },
                { label: "Reject", method: "device.pair.reject", params: { requestId: d.requestId }, danger: true },
              ]}
            />
          </li>
        ))}
      </ul>
      <h3>Paired devices</h3>
      {devices.data?.paired.length ? null : <p class="empty">No paired devices.</p>}
      <ul id="device-paired" class="cards">
        {devices.data?.paired.map((d) => (
          <li key={d.deviceId} data-device={d.deviceId}>
            <p>
              <strong>{d.displayName ?? d.platform ?? "device"}</strong> ({d.role}) · approved {ago(d.approvedAt)}
              {d.lastSeenAt ? ` · seen ${ago(d.lastSeenAt)}` : ""}
            </p>
            <p class="meta">
              {short(d.deviceId)} · scopes: {d.scopes.join(", ") || "none"}
            </p>
            <Actions
              controller={controller}
              reload={devices.reload}
              actions={[{ label: "Revoke", method: "device.revoke", params: { deviceId: d.deviceId }, danger: true }]}
            />
          </li>
        ))}
      </ul>
      <h3>Connected node hosts</h3>
      {nodes.data?.nodes.length ? null : <p class="empty">No node host is connected.</p>}
      <ul id="node-list" class="cards">
        {nodes.data?.nodes.map((n) => (
          <li key={n.nodeId}>
            <p>
              <strong>{n.displayName}</strong> · connected {ago(n.connectedAt)}
            </p>
            <p class="meta">
              {short(n.nodeId)} · commands: {n.commands.join(", ")}
            </p>
          </li>
        ))}
      </ul>
    </section>
  );
}
