import { z } from "zod";
import { defineMethod, type AnyMethodDef } from "../gateway/index.js";
import { HoldfastError } from "../errors/index.js";
import { gatewayActor, type SecurityTrail } from "../trail/index.js";
import type { PairedDevice, DeviceStore, PendingRequest } from "./store.js";

/** A paired device as shown to operators (never the token hash). */
export type PairedDeviceView = Omit<PairedDevice, "tokenHash"> & { readonly hasToken: boolean };

/** Strips the token hash from a paired device. */
export function viewPaired(d: PairedDevice): PairedDeviceView {
  const { tokenHash, ...rest } = d;
  return { ...rest, hasToken: tokenHash !== undefined };
}

const Id = z.string().min(1).max(128);

/**
 * Gateway methods for device pairing, all requiring `operator.pairing` (reference §3.9):
 * `device.pair.list` → `{pending, paired}`; `device.pair.approve {requestId}`;
 * `device.pair.reject {requestId}`; `device.revoke {deviceId}` (also closes that device's live
 * connections through `onRevoked`). Approvals, rejections and revocations go to the security `trail`.
 */
export function deviceMethods(
  store: DeviceStore,
  onRevoked: (deviceId: string) => void,
  trail?: SecurityTrail,
): AnyMethodDef[] {
  const record = (
    type: "device.paired" | "device.rejected" | "device.revoked",
    method: string,
    conn: Parameters<typeof gatewayActor>[1],
    d: { readonly deviceId: string; readonly role?: string },
  ) =>
    void trail?.record({
      type,
      actor: gatewayActor(method, conn),
      details: { deviceId: d.deviceId, ...(d.role ? { role: d.role } : {}) },
    });
  return [
    defineMethod({
      name: "device.pair.list",
      scope: "operator.pairing",
      params: z.looseObject({}),
      handler: async () => ({ pending: await store.listPending(), paired: (await store.listPaired()).map(viewPaired) }),
    }),
    defineMethod({
      name: "device.pair.approve",
      scope: "operator.pairing",
      params: z.object({ requestId: Id }),
      handler: async (p, ctx) => {
        const device = await store.approve(p.requestId);
        record("device.paired", "device.pair.approve", ctx.conn, device);
        return { device: viewPaired(device) };
      },
    }),
    defineMethod({
      name: "device.pair.reject",
      scope: "operator.pairing",
      params: z.object({ requestId: Id }),
      handler: async (p, ctx) => {
        const request = await store.reject(p.requestId);
        record("device.rejected", "device.pair.reject", ctx.conn, request);
        return { request };
      },
    }),
    defineMethod({
      name: "device.revoke",
      scope: "operator.pairing",
      params: z.object({ deviceId: Id }),
      handler: async (p, ctx) => {
        const device = await store.revoke(p.deviceId);
        record("device.revoked", "device.revoke", ctx.conn, device);
        onRevoked(device.deviceId);
        return { device: viewPaired(device) };
      },
    }),
  ];
}

/** Scopes an operator needs to approve a node host (it may offer `system.run`; reference §3.9). */
const NODE_APPROVE_SCOPES = ["operator.pairing", "operator.admin"];

function nodePending(r: PendingRequest) {
  return {
    requestId: r.requestId,
    nodeId: r.deviceId,
    ...(r.clientId ? { clientId: r.clientId } : {}),
    ...(r.displayName ? { displayName: r.displayName } : {}),
    ...(r.platform ? { platform: r.platform } : {}),
    commands: r.commands ?? [],
    remoteIp: r.remoteIp,
    requiredApproveScopes: NODE_APPROVE_SCOPES,
    silent: false,
    ts: r.createdAt,
    expiresAt: r.expiresAt,
  };
}

function nodePaired(d: PairedDevice) {
  return {
    nodeId: d.deviceId,
    ...(d.clientId ? { clientId: d.clientId } : {}),
    ...(d.displayName ? { displayName: d.displayName } : {}),
    ...(d.platform ? { platform: d.platform } : {}),
    commands: d.commands ?? [],
    approvedAtMs: d.approvedAt,
    approvedBy: d.approvedBy,
    ...(d.lastSeenAt ? { lastSeenAtMs: d.lastSeenAt } : {}),
  };
}

/**
 * The node view of device pairing (reference `openclaw nodes list|approve|reject`): node hosts pair
 * like every device (`holdfast devices approve` works too); these list and decide only `role:"node"`
 * devices:
 * - `node.pair.list` (operator.pairing) → `{pending:[{requestId, nodeId, displayName, platform,
 *   commands, requiredApproveScopes, ts, expiresAt}], paired:[{nodeId, displayName, commands,
 *   approvedAtMs, ...}]}`;
 * - `node.pair.approve` {requestId} (operator.admin: a node may offer `system.run`) → `{requestId, node}`;
 * - `node.pair.reject` {requestId} (operator.pairing) → `{requestId, nodeId}`.
 * @throws HoldfastError HF_NOT_FOUND when no pending node request has that id.
 */
export function nodePairingMethods(store: DeviceStore): AnyMethodDef[] {
  const pendingNode = async (requestId: string) => {
    const r = (await store.listPending()).find((x) => x.requestId === requestId && x.role === "node");
    if (!r)
      throw new HoldfastError(
        "HF_NOT_FOUND",
        `no pending node pairing request ${requestId.slice(0, 64)} (see: node.pair.list)`,
      );
    return r;
  };
  return [
    defineMethod({
      name: "node.pair.list",
      scope: "operator.pairing",
      params: z.looseObject({}),
      handler: async () => ({
        pending: (await store.listPending()).filter((r) => r.role === "node").map(nodePending),
        paired: (await store.listPaired()).filter((d) => d.role === "node").map(nodePaired),
      }),
    }),
    defineMethod({
      name: "node.pair.approve",
      scope: "operator.admin",
      params: z.looseObject({ requestId: Id }),
      async handler(p) {
        const r = await pendingNode(p.requestId);
        return { requestId: r.requestId, node: nodePaired(await store.approve(r.requestId)) };
      },
    }),
    defineMethod({
      name: "node.pair.reject",
      scope: "operator.pairing",
      params: z.looseObject({ requestId: Id }),
      async handler(p) {
        const r = await pendingNode(p.requestId);
        await store.reject(r.requestId);
        return { requestId: r.requestId, nodeId: r.deviceId };
      },
    }),
  ];
}
