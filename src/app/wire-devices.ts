import { DeviceRegistry, DeviceStore } from "../devices/index.js";
import type { AppContext } from "./context.js";

/** The devices stage as wired. */
export interface DevicesStage {
  readonly store: DeviceStore;
  readonly registry: DeviceRegistry;
}

/**
 * Device pairing: the store in `<stateDir>/devices` and the registry the authenticator consults.
 * Direct loopback devices are auto-approved unless `gateway.nodes.pairing.autoApproveLocal` is false.
 */
export function wireDevices(ctx: AppContext): DevicesStage {
  const store = new DeviceStore(ctx.paths.devicesDir, ctx.clock);
  const registry = new DeviceRegistry(store, {
    autoApproveLocal: ctx.config.gateway?.nodes?.pairing?.autoApproveLocal !== false,
    now: () => ctx.clock.now(),
    log: ctx.log.child({ stage: "devices" }),
    trail: ctx.trail,
  });
  return { store, registry };
}
