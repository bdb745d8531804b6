import { z } from "zod";
import { defineMethod, type AnyMethodDef } from "../gateway/index.js";
import { gatewayActor, type SecurityTrail } from "../trail/index.js";
import type { PairedDevice, DeviceStore } from "./store.js";

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
