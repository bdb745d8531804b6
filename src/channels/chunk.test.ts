import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { chunkText } from "./chunk.js";

describe("chunkText", () => {
  it("prefers paragraph, line and word boundaries", () => {
    expect(chunkText("aaaa\n\nbbbb", 6)).toEqual(["aaaa", "bbbb"]);
    expect(chunkText("aaa bbb ccc", 7)).toEqual(["aaa bbb", "ccc"]);
    expect(chunkText("abcdefghij", 4)).toEqual(["abcd", "efgh", "ij"]);
    expect(chunkText("   ", 10)).toEqual([]);
  });

  it("never exceeds the limit, never splits a surrogate pair, and loses only separators", () => {
    fc.assert(
      fc.property(
        fc.string({ unit: fc.constantFrom("a", " ", "\n", "😀", "b"), maxLength: 300 }),
        fc.integer({ min: 2, max: 50 }),
        (text, limit) => {
          const chunks = chunkText(text, limit);
          for (const c of chunks) {
            expect(c.length).toBeLessThanOrEqual(limit);
            expect(/^[\uDC00-\uDFFF]|[\uD800-\uDBFF]$/.test(c)).toBe(false);
          }
          expect(chunks.join("").replace(/\s/g, "")).toBe(text.replace(/\s/g, ""));
        },
      ),
    );
  });
});
