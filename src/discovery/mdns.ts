import { createHash } from "node:crypto";
import os from "node:os";
import type * as BonjourService from "bonjour-service";

type BonjourModule = typeof BonjourService;

export type MdnsMode = "off" | "minimal" | "full";

/** DNS-SD service type the gateway advertises: `_holdfast-gw._tcp`. */
export const MDNS_SERVICE_TYPE = "holdfast-gw";

/** TXT keys that describe the host or its user; only `full` mode publishes them (seeds "mDNS/Bonjour Discovery"). */
export const LEAKING_TXT_KEYS = [
  "cliPath",
  "sshPort",
  "displayName",
  "lanHost",
  "tailnetDns",
  "hostname",
  "username",
] as const;

/**
 * The mode in force (seeds security-architecture.md "mDNS/Bonjour Discovery"; reference §2.6):
 * `HOLDFAST_DISABLE_BONJOUR=1` forces off; a gateway listening on loopback only is never advertised
 * (nobody else could reach it); otherwise `discovery.mdns.mode`, default `minimal`.
 */
export function effectiveMdnsMode(
  configured: MdnsMode | undefined,
  env: NodeJS.ProcessEnv,
  loopbackOnly: boolean,
): MdnsMode {
  if (env.HOLDFAST_DISABLE_BONJOUR === "1" || loopbackOnly) return "off";
  return configured ?? "minimal";
}

/** What the advertisement says about the gateway. */
export interface AdvertisedGateway {
  readonly port: number;
  /** SHA-256 certificate fingerprint when the gateway serves TLS. */
  readonly tlsFingerprint?: string;
  /** Facts published in `full` mode only. */
  readonly host?: {
    readonly hostname: string;
    readonly cliPath?: string;
    readonly sshPort?: number;
    readonly tailnetDns?: string;
  };
}

/**
 * TXT records. `minimal`: `role`, `transport`, `gatewayPort` and, with TLS, `gatewayTls` +
 * `gatewayTlsSha256` (public facts that let clients pin). `full` adds `displayName`, `lanHost`,
 * `cliPath`, `sshPort`, `tailnetDns` (these reveal the host name, user name and install path).
 */
export function mdnsTxt(mode: Exclude<MdnsMode, "off">, g: AdvertisedGateway): Record<string, string> {
  const txt: Record<string, string> = { role: "gateway", transport: "gateway", gatewayPort: String(g.port) };
  if (g.tlsFingerprint) Object.assign(txt, { gatewayTls: "1", gatewayTlsSha256: g.tlsFingerprint });
  if (mode === "full" && g.host) {
    Object.assign(txt, { displayName: g.host.hostname, lanHost: `${g.host.hostname}.local` });
    if (g.host.cliPath) txt.cliPath = g.host.cliPath;
    if (g.host.sshPort) txt.sshPort = String(g.host.sshPort);
    if (g.host.tailnetDns) txt.tailnetDns = g.host.tailnetDns;
  }
  return txt;
}

/** Service instance name and SRV target host: the host name in `full` mode, an opaque stable label otherwise. */
export function mdnsNames(
  mode: Exclude<MdnsMode, "off">,
  hostname: string,
  salt: string,
): { name: string; host: string } {
  if (mode === "full") return { name: `holdfast gateway on ${hostname}`, host: `${hostname}.local` };
  const label = `holdfast-${createHash("sha256").update(`${hostname}\0${salt}`).digest("hex").slice(0, 8)}`;
  return { name: "holdfast gateway", host: `${label}.local` };
}

/** A running advertisement. */
export interface MdnsAdvertisement {
  stop(): Promise<void>;
}

/** Options of {@link advertiseGateway}. */
export interface AdvertiseOptions {
  readonly mode: Exclude<MdnsMode, "off">;
  readonly gateway: AdvertisedGateway;
  /** Opaque salt for the minimal-mode host label (e.g. the state dir). */
  readonly salt: string;
  /** IPv4 address of the interface to multicast on (the bind address); all interfaces when undefined. */
  readonly interfaceAddress?: string;
  readonly onError: (err: Error) => void;
}

/** Longest `stop` waits for the goodbye packets before closing the socket anyway (ms). */
export const MDNS_STOP_TIMEOUT_MS = 2_000;

/** Publishes `_holdfast-gw._tcp` with `bonjour-service` until `stop` (which sends goodbye packets). */
export async function advertiseGateway(opts: AdvertiseOptions): Promise<MdnsAdvertisement> {
  // bonjour-service is loaded only when the gateway is advertised (never for loopback-only binds).
  const mod = (await import("bonjour-service")) as BonjourModule & { default?: BonjourModule };
  // Bundled CommonJS exposes its exports on `default`; unbundled (tests) as named exports.
  const Bonjour = mod.Bonjour ?? mod.default?.Bonjour;
  // Bind the wildcard (a socket bound to a unicast address gets no multicast) but join and send only on the interface.
  const mdnsOpts = opts.interfaceAddress ? { interface: opts.interfaceAddress, bind: "0.0.0.0" } : {};
  const bonjour = new Bonjour(mdnsOpts as object, (err: Error) => opts.onError(err));
  const { name, host } = mdnsNames(opts.mode, os.hostname(), opts.salt);
  const service = bonjour.publish({
    name,
    type: MDNS_SERVICE_TYPE,
    port: opts.gateway.port,
    host,
    txt: mdnsTxt(opts.mode, opts.gateway),
    disableIPv6: true,
  });
  service.on("error", (err: Error) => opts.onError(err));
  return {
    stop: () =>
      new Promise<void>((resolve) => {
        let done = false;
        const finish = () => {
          if (done) return;
          done = true;
          clearTimeout(timer);
          bonjour.destroy(() => resolve());
        };
        const timer = setTimeout(finish, MDNS_STOP_TIMEOUT_MS);
        bonjour.unpublishAll(finish);
      }),
  };
}
