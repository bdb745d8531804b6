import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { estimateEntropyBits } from "./entropy.js";

describe("estimated entropy", () => {
  it("scores patterns low and random strings by their alphabet", () => {
    for (const weak of [
      "aaaaaaaa",
      "a".repeat(64),
      "password123",
      "P@ssw0rd!",
      "qwertyuiop1234567890",
      "abcabcabcabcabcabc",
    ])
      expect(estimateEntropyBits(weak), weak).toBeLessThan(25);
    expect(estimateEntropyBits("hunter2hunter2hunter2")).toBeLessThan(50);
    expect(estimateEntropyBits("7c1e94b2a05fd83e6b29c4a1f07d5e3b")).toBeGreaterThan(150);
  });

  it("property: repeating a string adds only a few bits", () => {
    fc.assert(
      fc.property(fc.string({ minLength: 3, maxLength: 12 }), fc.integer({ min: 2, max: 8 }), (s, k) => {
        expect(estimateEntropyBits(s.repeat(k))).toBeLessThanOrEqual(estimateEntropyBits(s) + 12);
      }),
    );
  });

  it("property: random URL-safe tokens score close to length × log2(alphabet), never above", () => {
    const chars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789".split("");
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...chars), { minLength: 16, maxLength: 64 }), (a) => {
        const bits = estimateEntropyBits(a.join(""));
        expect(bits).toBeLessThanOrEqual(a.length * Math.log2(62) + 1e-9);
        expect(bits).toBeGreaterThan(a.length * 3);
      }),
    );
  });
});
