import { HoldfastError } from "../errors/index.js";
import { isLoopbackAddress } from "./net.js";

export type BindMode = "loopback" | "lan" | "tailnet" | "auto" | "custom";

/** Inputs to {@link resolveBindHosts}. */
export interface BindInput {
  readonly mode: BindMode;
  readonly customBindHost?: string;
  /** The host's Tailscale 100.64.0.0/10 address, when known. */
  readonly tailnetAddress?: string;
  /** True when running inside a container (auto → 0.0.0.0). */
  readonly inContainer?: boolean;
}

/**
 * Listen addresses for a bind mode (reference §2.2): loopback → 127.0.0.1; lan → 0.0.0.0;
 * tailnet → the Tailscale address plus 127.0.0.1 (never 0.0.0.0); auto → 0.0.0.0 in a container
 * else 127.0.0.1; custom → `customBindHost` plus 127.0.0.1.
 * @throws HoldfastError HF_GATEWAY_LISTEN when a mode cannot resolve an address.
 */
export function resolveBindHosts(input: BindInput): string[] {
  switch (input.mode) {
    case "loopback":
      return ["127.0.0.1"];
    case "lan":
      return ["0.0.0.0"];
    case "auto":
      return [input.inContainer ? "0.0.0.0" : "127.0.0.1"];
    case "tailnet":
      if (!input.tailnetAddress) throw new HoldfastError("HF_GATEWAY_LISTEN", "gateway bind=tailnet could not resolve a Tailscale address; refusing wildcard fallback");
      return [input.tailnetAddress, "127.0.0.1"];
    case "custom": {
      const h = input.customBindHost?.trim();
      if (!h) throw new HoldfastError("HF_GATEWAY_LISTEN", "gateway.bind=custom requires gateway.customBindHost");
      if (!/^(\d{1,3})(\.\d{1,3}){3}$/.test(h) || h.split(".").some((o) => Number(o) > 255)) {
        throw new HoldfastError("HF_GATEWAY_LISTEN", `gateway.bind=custom requires a valid IPv4 customBindHost (got ${h})`);
      }
      return isLoopbackAddress(h) ? [h] : [h, "127.0.0.1"];
    }
  }
}

/** True when every listen address is loopback. */
export function isLoopbackOnly(hosts: readonly string[]): boolean {
  return hosts.every((h) => isLoopbackAddress(h));
}

/**
 * Refuses a non-loopback bind without a shared secret (reference §2.3; seeds "Fail-Closed Design").
 * @throws HoldfastError HF_GATEWAY_BIND_REFUSED with `Refusing to bind gateway to <mode> without auth.`
 */
export function assertBindAllowed(mode: BindMode, hosts: readonly string[], auth: { mode: string; hasSecret: boolean }): void {
  if (isLoopbackOnly(hosts)) return;
  if (auth.mode === "trusted-proxy") return;
  if (auth.mode === "none" || !auth.hasSecret) {
    throw new HoldfastError(
      "HF_GATEWAY_BIND_REFUSED",
      `Refusing to bind gateway to ${mode} without auth.\nSet gateway.auth.token/password (or HOLDFAST_GATEWAY_TOKEN/HOLDFAST_GATEWAY_PASSWORD) or pass --token/--password.`,
      { mode },
    );
  }
}
