import { readFileSync } from "node:fs";
import { isIPv6 } from "node:net";
import type { Logger } from "../logging/index.js";
import { normalizeIp } from "./net.js";
import { HANDSHAKE_TIMEOUT_MS } from "./protocol/frames.js";

/** A TCP connection as the gate sees it (a `net.Socket`). */
export interface GateSocket {
  readonly remoteAddress?: string | undefined;
  destroy(): void;
  once(event: "close", listener: () => void): unknown;
}

/** Bounds on connections that have not completed the gateway handshake. */
export interface PreAuthLimits {
  /** Per client address (IPv6: per /64). `gateway.handshake.maxPendingPerIp`, default 32. */
  readonly maxPerIp: number;
  /** In all. `gateway.handshake.maxPending`, default 256, at most a quarter of the open-file limit. */
  readonly maxTotal: number;
  /** A connection that has sent no HTTP request or upgrade by then is closed (ms). Default 15 000. */
  readonly idleMs: number;
}

/** Refusals close together: logged when the first comes and summarized when they stop. */
interface Burst {
  refused: number;
  readonly startedAt: number;
  readonly keys: Set<string>;
  readonly quiet: NodeJS.Timeout;
}

/** Quiet time after which a burst of refused connections counts as over and is summarized (ms). */
const BURST_QUIET_MS = 5_000;

/**
 * The soft open-file limit of this process (Linux `/proc/self/limits`), or undefined where unknown.
 * Node raises the soft limit to the hard one at start, so this is what the gateway can really open.
 */
export function openFileLimit(read: (path: string) => string = (p) => readFileSync(p, "utf8")): number | undefined {
  try {
    const line = read("/proc/self/limits")
      .split("\n")
      .find((l) => l.startsWith("Max open files"));
    const soft = line?.split(/\s{2,}/)[1];
    return soft && /^\d+$/.test(soft) ? Number(soft) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The effective limits: configured values, else 32 per address and 256 in all, the total kept to a
 * quarter of the open-file limit so pending connections can never take the descriptors the stores,
 * logs and authenticated clients need.
 */
export function preAuthLimits(
  cfg: { readonly maxPendingPerIp?: number | undefined; readonly maxPending?: number | undefined } = {},
  nofile = openFileLimit(),
): PreAuthLimits {
  const fdBound = nofile !== undefined ? Math.max(8, Math.floor(nofile / 4)) : Infinity;
  const maxTotal = cfg.maxPending ?? Math.min(256, fdBound);
  return { maxPerIp: Math.min(cfg.maxPendingPerIp ?? 32, maxTotal), maxTotal, idleMs: HANDSHAKE_TIMEOUT_MS };
}

/** The address a per-client limit counts: IPv4 as is, IPv6 by its /64 (one host usually holds all of it). */
export function clientKey(address: string | undefined): string {
  const ip = normalizeIp(address);
  if (!isIPv6(ip)) return ip || "unknown";
  const [head = "", tail = ""] = ip.split("::");
  const left = head ? head.split(":") : [];
  const right = tail ? tail.split(":") : [];
  const groups = ip.includes("::") ? [...left, ...Array(8 - left.length - right.length).fill("0"), ...right] : left;
  return `${groups
    .slice(0, 4)
    .map((g) => g.replace(/^0+(?=.)/, ""))
    .join(":")}::/64`;
}

/**
 * Caps connections between TCP accept and a completed gateway handshake, per client address and in
 * all, so an unauthenticated peer holding idle sockets cannot exhaust file descriptors. A connection
 * over a cap is closed at once; refusals are logged once per burst (and summarized when it ends), not
 * per socket. A counted connection leaves the count when it authenticates ({@link authenticated}) or
 * closes, and is closed when it has made no HTTP request or upgrade within `idleMs` (the handshake
 * timeout, 15 s, then runs from the upgrade). Trusted proxies, which carry many clients, are held to
 * the total cap only.
 */
export class PreAuthGate {
  private readonly pending = new Map<GateSocket, { key: string; idle: NodeJS.Timeout | undefined }>();
  private readonly perKey = new Map<string, number>();
  private refusedTotal = 0;
  private burst: Burst | undefined;

  /**
   * Timers are the process's own (`setTimeout`, unref'd), like the handshake timeout: the gate guards
   * real sockets in real time.
   */
  constructor(
    private readonly limits: PreAuthLimits,
    private readonly deps: { readonly log: Logger; readonly exempt?: (ip: string) => boolean },
  ) {}

  /** A new TCP connection: counted and watched, or destroyed at once (returns false) when over a cap. */
  admit(socket: GateSocket): boolean {
    const key = clientKey(socket.remoteAddress);
    const perKey = this.perKey.get(key) ?? 0;
    const exempt = this.deps.exempt?.(normalizeIp(socket.remoteAddress)) === true;
    const over =
      this.pending.size >= this.limits.maxTotal
        ? "total"
        : !exempt && perKey >= this.limits.maxPerIp
          ? "per_ip"
          : undefined;
    if (over) {
      socket.destroy();
      this.refused(key, over);
      return false;
    }
    const idle = setTimeout(() => socket.destroy(), this.limits.idleMs).unref();
    this.pending.set(socket, { key, idle });
    this.perKey.set(key, perKey + 1);
    socket.once("close", () => this.release(socket));
    return true;
  }

  /** The connection sent an HTTP request or a WebSocket upgrade: it is no longer idle (still counted). */
  active(socket: GateSocket): void {
    const entry = this.pending.get(socket);
    if (!entry) return;
    clearTimeout(entry.idle);
    entry.idle = undefined;
  }

  /** The connection completed the gateway handshake: it no longer counts as pending. */
  authenticated(socket: GateSocket): void {
    this.release(socket);
  }

  /** Stops the gate's timers (gateway stop); a burst in progress is summarized. */
  close(): void {
    for (const entry of this.pending.values()) clearTimeout(entry.idle);
    if (this.burst) {
      clearTimeout(this.burst.quiet);
      this.endBurst(this.burst);
    }
  }

  /** For status: pending connections, refusals so far, and the caps. */
  stats(): { pending: number; refused: number; maxPendingPerIp: number; maxPending: number } {
    return {
      pending: this.pending.size,
      refused: this.refusedTotal,
      maxPendingPerIp: this.limits.maxPerIp,
      maxPending: this.limits.maxTotal,
    };
  }

  private release(socket: GateSocket): void {
    const entry = this.pending.get(socket);
    if (!entry) return;
    clearTimeout(entry.idle);
    this.pending.delete(socket);
    const n = (this.perKey.get(entry.key) ?? 1) - 1;
    if (n <= 0) this.perKey.delete(entry.key);
    else this.perKey.set(entry.key, n);
  }

  private refused(key: string, over: "total" | "per_ip"): void {
    this.refusedTotal++;
    if (!this.burst) {
      const started: Omit<Burst, "quiet"> = { refused: 0, startedAt: Date.now(), keys: new Set() };
      const burst: Burst = { ...started, quiet: setTimeout(() => this.endBurst(burst), BURST_QUIET_MS).unref() };
      this.burst = burst;
      this.deps.log.warn(
        {
          reason: over === "total" ? "preauth_total_limit" : "preauth_per_ip_limit",
          client: key,
          pending: this.pending.size,
          maxPendingPerIp: this.limits.maxPerIp,
          maxPending: this.limits.maxTotal,
        },
        "too many connections waiting for the handshake: closing the excess at once (gateway.handshake)",
      );
    } else this.burst.quiet.refresh();
    const burst = this.burst;
    burst.refused++;
    if (burst.keys.size < 20) burst.keys.add(key);
  }

  private endBurst(burst: Burst): void {
    if (this.burst !== burst) return;
    this.burst = undefined;
    this.deps.log.warn(
      { refused: burst.refused, durationMs: Date.now() - burst.startedAt, clients: [...burst.keys] },
      "connection burst over: excess pre-handshake connections were closed",
    );
  }
}
