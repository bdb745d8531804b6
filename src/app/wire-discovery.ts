import { createDiscoveryStage, type DiscoveryStage } from "../discovery/index.js";
import type { GatewayExposure, StatusRegistry } from "../gateway/index.js";
import type { AppContext } from "./context.js";

/** mDNS discovery of the gateway (started once the gateway listens); its mode goes into the status. */
export function wireDiscovery(
  ctx: AppContext,
  w: { readonly exposure: GatewayExposure; readonly status: Pick<StatusRegistry, "add"> },
): DiscoveryStage {
  return createDiscoveryStage({
    config: ctx.config,
    env: ctx.env,
    stateDir: ctx.paths.stateDir,
    log: ctx.log.child({ stage: "discovery" }),
    exposure: {
      hosts: w.exposure.plan.hosts,
      loopbackOnly: w.exposure.plan.loopbackOnly,
      tlsFingerprint: w.exposure.tls?.fingerprint256,
    },
    status: w.status,
  });
}
