import { existsSync, readFileSync } from "node:fs";
import net from "node:net";
import os from "node:os";
import { HoldfastError } from "../errors/index.js";
import { isLoopbackAddress } from "./net.js";

export type BindMode = "loopback" | "lan" | "tailnet" | "auto" | "custom";
export const BIND_MODES: readonly BindMode[] = ["loopback", "lan", "tailnet", "auto", "custom"];

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
 * Listen addresses for a bind mode (seeds security-architecture.md "Bind Modes"; reference §2.2):
 * loopback → 127.0.0.1; lan → 0.0.0.0; tailnet → the Tailscale address plus 127.0.0.1 (never
 * 0.0.0.0); auto → 0.0.0.0 in a container else 127.0.0.1; custom → `customBindHost` plus 127.0.0.1.
 * @throws HoldfastError HF_CONFIG_INVALID for a missing or invalid customBindHost; HF_GATEWAY_LISTEN
 *   when bind=tailnet finds no Tailscale address.
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
      if (!input.tailnetAddress)
        throw new HoldfastError(
          "HF_GATEWAY_LISTEN",
          "gateway bind=tailnet could not resolve a Tailscale address (100.64.0.0/10) on this host; refusing wildcard fallback",
        );
      return [input.tailnetAddress, "127.0.0.1"];
    case "custom": {
      const h = input.customBindHost?.trim();
      if (!h) throw new HoldfastError("HF_CONFIG_INVALID", "gateway.bind=custom requires gateway.customBindHost");
      if (!net.isIPv4(h) || h === "0.0.0.0")
        throw new HoldfastError(
          "HF_CONFIG_INVALID",
          `gateway.bind=custom requires a valid IPv4 gateway.customBindHost (got ${h})`,
        );
      return isLoopbackAddress(h) ? [h] : [h, "127.0.0.1"];
    }
  }
}

/** True when every listen address is loopback. */
export function isLoopbackOnly(hosts: readonly string[]): boolean {
  return hosts.every((h) => isLoopbackAddress(h));
}

/** True for an IPv4 address in Tailscale's CGNAT range 100.64.0.0/10. */
export function isTailnetAddress(ip: string): boolean {
  if (!net.isIPv4(ip)) return false;
  const [a, b] = ip.split(".").map(Number) as [number, number];
  return a === 100 && b >= 64 && b <= 127;
}

/** The host's first Tailscale IPv4 address (100.64.0.0/10) from `interfaces`, if any. */
export function findTailnetAddress(
  interfaces: NodeJS.Dict<os.NetworkInterfaceInfo[]> = os.networkInterfaces(),
): string | undefined {
  for (const addrs of Object.values(interfaces)) {
    for (const a of addrs ?? []) if (a.family === "IPv4" && isTailnetAddress(a.address)) return a.address;
  }
  return undefined;
}

/** Best-effort container detection (`/.dockerenv`, `/run/.containerenv`, `$container`, cgroup names). */
export function detectContainer(env: NodeJS.ProcessEnv = process.env): boolean {
  if (env.container) return true;
  if (existsSync("/.dockerenv") || existsSync("/run/.containerenv")) return true;
  try {
    return /docker|kubepods|containerd|libpod|lxc/.test(readFileSync("/proc/1/cgroup", "utf8"));
  } catch {
    return false;
  }
}
