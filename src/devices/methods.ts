import { z } from "zod";
import { defineMethod, type AnyMethodDef } from "../gateway/index.js";
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
 * connections through `onRevoked`).
 */
export function deviceMethods(store: DeviceStore, onRevoked: (deviceId: string) => void): AnyMethodDef[] {
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
      handler: async (p) => ({ device: viewPaired(await store.approve(p.requestId)) }),
    }),
    defineMethod({
      name: "device.pair.reject",
      scope: "operator.pairing",
      params: z.object({ requestId: Id }),
      handler: async (p) => ({ request: await store.reject(p.requestId) }),
    }),
    defineMethod({
      name: "device.revoke",
      scope: "operator.pairing",
      params: z.object({ deviceId: Id }),
      handler: async (p) => {
        const device = await store.revoke(p.deviceId);
        onRevoked(device.deviceId);
        return { device: viewPaired(device) };
      },
    }),
  ];
}
