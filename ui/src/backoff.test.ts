import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { RECONNECT_MAX_MS, reconnectDelayMs } from "./backoff.js";

describe("reconnect backoff", () => {
  it("starts near 0.5 s and grows to 8 s", () => {
    expect(reconnectDelayMs(0, 0.5)).toBe(500);
    expect(reconnectDelayMs(1, 0.5)).toBe(1000);
    expect(reconnectDelayMs(4, 0.5)).toBe(8000);
    expect(reconnectDelayMs(40, 0.5)).toBe(8000);
  });

  it("always waits between 0.4 s and 8 s, and never less for a later attempt at the same jitter", () => {
    fc.assert(
      fc.property(fc.nat(100), fc.double({ min: 0, max: 0.9999, noNaN: true }), (n, r) => {
        const d = reconnectDelayMs(n, r);
        expect(d).toBeGreaterThanOrEqual(400);
        expect(d).toBeLessThanOrEqual(RECONNECT_MAX_MS);
        expect(reconnectDelayMs(n + 1, r)).toBeGreaterThanOrEqual(d);
      }),
    );
  });
});
