import net from "node:net";
import os from "node:os";
import type { HoldfastConfig } from "../config/index.js";
import type { StatusRegistry } from "../gateway/index.js";
import type { Logger } from "../logging/index.js";
import { advertiseGateway, effectiveMdnsMode, type MdnsAdvertisement, type MdnsMode } from "./mdns.js";

/** Dependencies of {@link createDiscoveryStage}. */
export interface DiscoveryStageDeps {
  readonly config: HoldfastConfig;
  readonly env: NodeJS.ProcessEnv;
  /** Salts the advertised instance id. */
  readonly stateDir: string;
  readonly log: Logger;
  /** Where the gateway listens: its hosts, and the TLS fingerprint when it serves TLS. */
  readonly exposure: {
    readonly hosts: readonly string[];
    readonly loopbackOnly: boolean;
    readonly tlsFingerprint?: string | undefined;
  };
  /** The status document gets `discovery: {mdns: <mode>}`. */
  readonly status: Pick<StatusRegistry, "add">;
}

/** The discovery stage: the mDNS mode in force and the advertisement once started. */
export interface DiscoveryStage {
  readonly mode: MdnsMode;
  /** Advertises the gateway listening on `port` (nothing when the mode is off). */
  start(port: number): Promise<void>;
  stop(): Promise<void>;
}

/**
 * mDNS advertisement of the gateway (seeds "mDNS/Bonjour Discovery"): off when
 * `HOLDFAST_DISABLE_BONJOUR=1` or bound to loopback only; multicast only on the bound interface when
 * the bind is one address (custom, tailnet), on every interface for 0.0.0.0. Started after the
 * gateway listens.
 */
export function createDiscoveryStage(deps: DiscoveryStageDeps): DiscoveryStage {
  const { exposure } = deps;
  const mode = effectiveMdnsMode(deps.config.discovery?.mdns?.mode, deps.env, exposure.loopbackOnly);
  deps.status.add("discovery", () => ({ mdns: mode }));
  let ad: MdnsAdvertisement | undefined;
  return {
    mode,
    async start(port) {
      if (mode === "off" || ad) return;
      const primary = exposure.hosts[0];
      ad = await advertiseGateway({
        mode,
        gateway: {
          port,
          ...(exposure.tlsFingerprint ? { tlsFingerprint: exposure.tlsFingerprint } : {}),
          host: { hostname: os.hostname(), ...(process.argv[1] ? { cliPath: process.argv[1] } : {}), sshPort: 22 },
        },
        salt: deps.stateDir,
        ...(primary && net.isIPv4(primary) && primary !== "0.0.0.0" ? { interfaceAddress: primary } : {}),
        onError: (err) => deps.log.warn({ err: err.message }, "mDNS advertisement failed"),
      });
      deps.log.info({ mode, port }, "advertising the gateway over mDNS");
    },
    stop: async () => ad?.stop(),
  };
}
