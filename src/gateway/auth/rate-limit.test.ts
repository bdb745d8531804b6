import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { AuthRateLimiter, DEFAULT_RATE_LIMIT } from "./rate-limit.js";

describe("AuthRateLimiter", () => {
  it("locks after maxAttempts failures within the window, for lockoutMs", () => {
    let now = 0;
    const l = new AuthRateLimiter(DEFAULT_RATE_LIMIT, () => now);
    const k = { key: "shared-secret:192.0.2.1", exempt: false };
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
    const k = { key: "a", exempt: false };
    for (let i = 0; i < 9; i++) l.recordFailure(k);
    now += 60_001;
    expect(l.recordFailure(k).retryAfterMs).toBe(0);
  });

  it("clears a key on success and shares one overflow bucket when full", () => {
    const l = new AuthRateLimiter(DEFAULT_RATE_LIMIT, () => 0, 2);
    const k = { key: "a", exempt: false };
    for (let i = 0; i < 5; i++) l.recordFailure(k);
    l.recordSuccess(k);
    expect(l.size).toBe(0);
    l.recordFailure({ key: "x", exempt: false });
    l.recordFailure({ key: "y", exempt: false });
    for (let i = 0; i < 10; i++) l.recordFailure({ key: `new-${i}`, exempt: false });
    expect(l.retryAfterMs({ key: "another-new", exempt: false })).toBe(300_000);
    expect(l.retryAfterMs({ key: "x", exempt: false })).toBe(0);
  });

  it("property: an exempt (direct loopback) key is never locked and its delay stays within 250 ms..5 s", () => {
    fc.assert(
      fc.property(fc.array(fc.nat({ max: 120_000 }), { minLength: 1, maxLength: 60 }), (gaps) => {
        let now = 0;
        const l = new AuthRateLimiter(DEFAULT_RATE_LIMIT, () => now);
        const k = { key: "shared-secret:127.0.0.1", exempt: true };
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
        const k = { key: "k", exempt: false };
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
});
