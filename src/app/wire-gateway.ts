import type { AgentRoster } from "../config/index.js";
import { deviceMethods, nodePairingMethods } from "../devices/index.js";
import { createGatewayStage, type GatewayExposure, type GatewayHub, type GatewayStage } from "../gateway/index.js";
import type { AppContext } from "./context.js";
import { VERSION } from "./version.js";
import type { DevicesStage } from "./wire-devices.js";
import type { StoreStage } from "./wire-store.js";

/**
 * The gateway: HTTP + WebSocket over the hub the other stages filled (methods, events, webhook
 * routes, status facts), the authenticator of the exposure with device pairing, error messages
 * redacted, the `device.*` methods (revoking a device closes its connections) and `node.pair.*`.
 */
export function wireGateway(
  ctx: AppContext,
  w: {
    readonly hub: GatewayHub;
    readonly exposure: GatewayExposure;
    readonly devices: DevicesStage;
    readonly roster: AgentRoster;
    readonly store: StoreStage;
  },
): GatewayStage {
  const gateway = createGatewayStage({
    hub: w.hub,
    exposure: w.exposure,
    devices: w.devices.registry,
    clock: ctx.clock,
    log: ctx.log.child({ stage: "gateway" }),
    version: VERSION,
    redact: (text) => ctx.redactor.redact(text),
    agentIds: () => w.roster.ids(),
    ...(ctx.config.gateway?.handshake ? { handshake: ctx.config.gateway.handshake } : {}),
    snapshot: () => ({ interruptedRuns: w.store.interruptedWebChat() }),
    trail: ctx.trail,
  });
  w.hub.methods.register(
    ...deviceMethods(
      w.devices.store,
      (deviceId) => gateway.server.disconnect((c) => c.deviceId === deviceId, 1008, "device revoked"),
      ctx.trail,
    ),
    ...nodePairingMethods(w.devices.store),
  );
  return gateway;
}
