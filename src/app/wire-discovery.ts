import net from "node:net";
import os from "node:os";
import { advertiseGateway, effectiveMdnsMode, type MdnsAdvertisement, type MdnsMode } from "../discovery/index.js";
import type { AppContext } from "./context.js";
import type { ExposureStage } from "./wire-exposure.js";

/** The discovery stage: the mode in force and the running advertisement (if any). */
export interface DiscoveryStage {
  readonly mode: MdnsMode;
  stop(): Promise<void>;
}

/**
 * Starts mDNS advertisement after the gateway listens (seeds "mDNS/Bonjour Discovery"): off when
 * `HOLDFAST_DISABLE_BONJOUR=1` or bound to loopback only; multicast only on the bound interface
 * when the bind is one address (custom, tailnet), on every interface for 0.0.0.0.
 */
export async function wireDiscovery(ctx: AppContext, exposure: ExposureStage, port: number): Promise<DiscoveryStage> {
  const mode = effectiveMdnsMode(ctx.config.discovery?.mdns?.mode, ctx.env, exposure.plan.loopbackOnly);
  if (mode === "off") return { mode, stop: async () => undefined };
  const primary = exposure.plan.hosts[0];
  const log = ctx.log.child({ stage: "discovery" });
  const ad: MdnsAdvertisement = await advertiseGateway({
    mode,
    gateway: {
      port,
      ...(exposure.tls ? { tlsFingerprint: exposure.tls.fingerprint256 } : {}),
      host: { hostname: os.hostname(), ...(process.argv[1] ? { cliPath: process.argv[1] } : {}), sshPort: 22 },
    },
    salt: ctx.paths.stateDir,
    ...(primary && net.isIPv4(primary) && primary !== "0.0.0.0" ? { interfaceAddress: primary } : {}),
    onError: (err) => log.warn({ err: err.message }, "mDNS advertisement failed"),
  });
  log.info({ mode, port }, "advertising the gateway over mDNS");
  return { mode, stop: () => ad.stop() };
}
