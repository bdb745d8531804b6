import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { ClientAddress } from "../net.js";
import { AuthRateLimiter, DEFAULT_RATE_LIMIT, limiterKey } from "./rate-limit.js";

describe("AuthRateLimiter", () => {
  it("locks after maxAttempts failures within the window, for lockoutMs", () => {
    let now = 0;
    const l = new AuthRateLimiter(DEFAULT_RATE_LIMIT, () => now);
    const k = { key: "shared-secret:192.0.2.1", exempt: false, loopback: false };
    for (let i = 0; i < 9; i++) expect(l.recordFailure(k).retryAfterMs).toBe(0);
    expect(l.recordFailure(k).retryAfterMs).toBe(300_000);
    now += 100_000;
    expect(l.retryAfterMs(k)).toBe(200_000);
    now += 200_000;
    expect(l.retryAfterMs(k)).toBe(0);
  });

  it("slides the window: failures older than windowMs drop off", () => {
    let now = 0;
    const l = new AuthRateLimiter(DEFAULT_RATE_LIMIT, () => now);
    const k = { key: "a", exempt: false, loopback: false };
    for (let i = 0; i < 9; i++) l.recordFailure(k);
    now += 60_001;
    expect(l.recordFailure(k).retryAfterMs).toBe(0);
  });

  it("clears a key on success and shares one overflow bucket when full", () => {
    const l = new AuthRateLimiter(DEFAULT_RATE_LIMIT, () => 0, 2);
    const k = { key: "a", exempt: false, loopback: false };
    for (let i = 0; i < 5; i++) l.recordFailure(k);
    l.recordSuccess(k);
    expect(l.size).toBe(0);
    l.recordFailure({ key: "x", exempt: false, loopback: false });
    l.recordFailure({ key: "y", exempt: false, loopback: false });
    for (let i = 0; i < 10; i++) l.recordFailure({ key: `new-${i}`, exempt: false, loopback: false });
    expect(l.retryAfterMs({ key: "another-new", exempt: false, loopback: false })).toBe(300_000);
    expect(l.retryAfterMs({ key: "x", exempt: false, loopback: false })).toBe(0);
  });

  it("property: an exempt (direct loopback) key is never locked and its delay stays within 250 ms..5 s", () => {
    fc.assert(
      fc.property(fc.array(fc.nat({ max: 120_000 }), { minLength: 1, maxLength: 60 }), (gaps) => {
        let now = 0;
        const l = new AuthRateLimiter(DEFAULT_RATE_LIMIT, () => now);
        const k = { key: "shared-secret:loopback", exempt: true, loopback: true };
        for (const gap of gaps) {
          now += gap;
          const r = l.recordFailure(k);
          expect(r.retryAfterMs).toBe(0);
          expect(r.delayMs).toBeGreaterThanOrEqual(250);
          expect(r.delayMs).toBeLessThanOrEqual(5_000);
          expect(l.retryAfterMs(k)).toBe(0);
        }
      }),
    );
  });

  it("property: a non-exempt key is locked exactly when maxAttempts failures fall within one window", () => {
    fc.assert(
      fc.property(fc.array(fc.nat({ max: 20_000 }), { minLength: 1, maxLength: 30 }), (gaps) => {
        let now = 0;
        const l = new AuthRateLimiter(DEFAULT_RATE_LIMIT, () => now);
        const k = { key: "k", exempt: false, loopback: false };
        const times: number[] = [];
        for (const gap of gaps) {
          now += gap;
          if (l.retryAfterMs(k) > 0) return;
          times.push(now);
          const locked = l.recordFailure(k).retryAfterMs > 0;
          expect(locked).toBe(
            times.filter((t) => now - t < DEFAULT_RATE_LIMIT.windowMs).length >= DEFAULT_RATE_LIMIT.maxAttempts,
          );
        }
      }),
    );
  });

  it("property: every loopback address (127/8, ::1, mapped) shares one bucket; other addresses keep their own", () => {
    const v4 = fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255)).map(([a, b, c]) => `127.${a}.${b}.${c}`);
    const loopbackIp = fc.oneof(
      v4,
      v4.map((ip) => `::ffff:${ip}`),
      fc.constant("::1"),
    );
    const client = (ip: string, origin?: string): ClientAddress => ({
      peerIp: ip,
      ip,
      isLoopbackPeer: true,
      isLocal: true,
      unattributedProxy: false,
      ...(origin ? { origin } : {}),
    });
    fc.assert(
      fc.property(
        loopbackIp,
        loopbackIp,
        fc.boolean(),
        fc.option(fc.webUrl(), { nil: undefined }),
        (a, b, exempt, origin) => {
          const ka = limiterKey("shared-secret", client(a, origin), exempt);
          expect(ka).toEqual({
            key: "shared-secret:loopback",
            exempt: exempt && origin === undefined,
            loopback: true,
          });
          expect(limiterKey("shared-secret", client(b), exempt).key).toBe(ka.key);
        },
      ),
    );
    const remote = { ...client("192.0.2.7"), isLoopbackPeer: false, isLocal: false };
    expect(limiterKey("shared-secret", remote, true)).toEqual({
      key: "shared-secret:192.0.2.7",
      exempt: false,
      loopback: false,
    });
  });

  it("keeps a locked loopback bucket locked for wrong credentials after a success", () => {
    const l = new AuthRateLimiter(DEFAULT_RATE_LIMIT, () => 0);
    const k = { key: "shared-secret:loopback", exempt: false, loopback: true };
    for (let i = 0; i < 10; i++) expect(l.recordFailure(k).delayMs).toBeGreaterThanOrEqual(250);
    expect(l.retryAfterMs(k)).toBe(300_000);
    l.recordSuccess(k);
    expect(l.retryAfterMs(k)).toBe(300_000);
  });
});
