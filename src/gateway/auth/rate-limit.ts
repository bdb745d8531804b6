import { isLoopbackAddress, type ClientAddress } from "../net.js";

/** `gateway.auth.rateLimit` with defaults applied (reference §3.7). */
export interface RateLimitConfig {
  /** Failures within `windowMs` that lock the key. Default 10. */
  readonly maxAttempts: number;
  /** Sliding window (ms). Default 60 000. */
  readonly windowMs: number;
  /** Lockout length (ms). Default 300 000. */
  readonly lockoutMs: number;
  /** Direct loopback clients are never locked, only delayed. Default true. */
  readonly exemptLoopback: boolean;
}

export const DEFAULT_RATE_LIMIT: RateLimitConfig = {
  maxAttempts: 10,
  windowMs: 60_000,
  lockoutMs: 300_000,
  exemptLoopback: true,
};

/** First loopback failure delay (ms); doubles per recent failure up to {@link LOOPBACK_MAX_DELAY_MS}. */
export const LOOPBACK_BASE_DELAY_MS = 250;
export const LOOPBACK_MAX_DELAY_MS = 5_000;
/** Buckets kept at most; beyond that new keys share one overflow bucket. */
export const MAX_BUCKETS = 10_000;

/** Credential families counted separately. */
export type RateLimitScope = "shared-secret" | "device-token";

/** A bucket key, whether it may be locked, and whether it is the loopback bucket. */
export interface LimiterKey {
  readonly key: string;
  /** Never locked (a direct local client while `exemptLoopback`). */
  readonly exempt: boolean;
  /**
   * The one bucket of all loopback clients (127.0.0.0/8, ::1): failures are delayed, and a lockout
   * refuses wrong credentials only; the right one is always admitted.
   */
  readonly loopback: boolean;
}

interface Bucket {
  failures: number[];
  lockedUntil: number;
}

/**
 * The key for a client: `<scope>:<ip>`, except that every loopback address (all of 127.0.0.0/8 and
 * ::1, however the client rotates them) shares one bucket `<scope>:loopback`. Only a direct local
 * client (loopback peer, no forwarding headers, no browser `Origin`) is exempt from lockout while
 * `exemptLoopback`; a browser page on this host is not (reference §3.7), but neither is ever locked
 * out with the right credential (see {@link LimiterKey.loopback}).
 */
export function limiterKey(scope: RateLimitScope, client: ClientAddress, exemptLoopback: boolean): LimiterKey {
  if (isLoopbackAddress(client.ip))
    return {
      key: `${scope}:loopback`,
      exempt: exemptLoopback && client.isLocal && client.origin === undefined,
      loopback: true,
    };
  return { key: `${scope}:${client.ip}`, exempt: false, loopback: false };
}

/**
 * Failed-authentication limiter (seeds "Gateway Authentication"; reference §3.7): per key, failures
 * in a sliding window; reaching `maxAttempts` locks a non-exempt key for `lockoutMs`. Loopback
 * failures are answered after `min(250 ms · 2^(n−1), 5 s)`, n = recent failures (at most 6
 * counted). Success clears a key that is not locked (a locked loopback bucket stays locked for the
 * wrong credentials). In memory, per process.
 */
export class AuthRateLimiter {
  private readonly buckets = new Map<string, Bucket>();
  private lastPrune = 0;

  constructor(
    private readonly config: RateLimitConfig,
    private readonly now: () => number,
    private readonly maxBuckets = MAX_BUCKETS,
  ) {}

  /** Milliseconds until the key may try again, or 0 when it is not locked. Checked before any comparison. */
  retryAfterMs(k: LimiterKey): number {
    if (k.exempt) return 0;
    const b = this.buckets.get(this.slot(k.key));
    return b ? Math.max(0, b.lockedUntil - this.now()) : 0;
  }

  /**
   * Records a wrong credential. Returns how long to delay the answer (exempt keys) and the lockout
   * left (0 when not locked).
   */
  recordFailure(k: LimiterKey): { delayMs: number; retryAfterMs: number } {
    const t = this.now();
    this.prune(t);
    const slot = this.slot(k.key);
    const b = this.buckets.get(slot) ?? { failures: [], lockedUntil: 0 };
    this.buckets.set(slot, b);
    b.failures = b.failures.filter((f) => t - f < this.config.windowMs);
    b.failures.push(t);
    const keep = Math.max(this.config.maxAttempts, 6);
    if (b.failures.length > keep) b.failures.splice(0, b.failures.length - keep);
    if (!k.exempt && b.failures.length >= this.config.maxAttempts) b.lockedUntil = t + this.config.lockoutMs;
    const n = Math.min(b.failures.length, 6);
    return {
      delayMs: k.loopback ? Math.min(LOOPBACK_BASE_DELAY_MS * 2 ** (n - 1), LOOPBACK_MAX_DELAY_MS) : 0,
      retryAfterMs: k.exempt ? 0 : Math.max(0, b.lockedUntil - t),
    };
  }

  /** Clears the key after a successful authentication, unless it is locked. */
  recordSuccess(k: LimiterKey): void {
    const slot = this.slot(k.key);
    if (slot === k.key && (this.buckets.get(slot)?.lockedUntil ?? 0) <= this.now()) this.buckets.delete(slot);
  }

  /** Number of keys tracked (for status and tests). */
  get size(): number {
    return this.buckets.size;
  }

  private slot(key: string): string {
    if (this.buckets.has(key) || this.buckets.size < this.maxBuckets) return key;
    this.prune(this.now(), true);
    return this.buckets.size < this.maxBuckets ? key : "overflow";
  }

  private prune(t: number, force = false): void {
    if (!force && t - this.lastPrune < this.config.windowMs) return;
    this.lastPrune = t;
    for (const [key, b] of this.buckets) {
      if (b.lockedUntil <= t && b.failures.every((f) => t - f >= this.config.windowMs)) this.buckets.delete(key);
    }
  }
}
