import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { base64Slices, secretMatcher } from "./secret-forms.js";

const TOKEN_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-".split("");
/** Realistic secrets: tokens and keys of 16 to 64 URL-safe characters. */
const token = fc.array(fc.constantFrom(...TOKEN_CHARS), { minLength: 16, maxLength: 64 }).map((a) => a.join(""));
/** Any printable ASCII secret of 8 to 40 characters (passwords with punctuation). */
const printable = fc.string({
  unit: fc.integer({ min: 33, max: 126 }).map((c) => String.fromCharCode(c)),
  minLength: 8,
  maxLength: 40,
});
const bytes = fc.uint8Array({ maxLength: 8 }).map((b) => Buffer.from(b));
const words = fc.string({ maxLength: 30 });

/** The encodings a leak would use: each takes the secret and returns the text that carries it. */
const ENCODINGS: Record<string, (s: string, pre: Buffer, post: Buffer) => string> = {
  plain: (s) => s,
  upper: (s) => s.toUpperCase(),
  lower: (s) => s.toLowerCase(),
  json: (s) => JSON.stringify(s),
  url: (s) => encodeURIComponent(s),
  reversed: (s) => [...s].reverse().join(""),
  hex: (s) => Buffer.from(s).toString("hex"),
  hexUpper: (s) => Buffer.from(s).toString("hex").toUpperCase(),
  base64: (s, pre, post) => Buffer.concat([pre, Buffer.from(s), post]).toString("base64"),
  base64url: (s, pre, post) => Buffer.concat([pre, Buffer.from(s), post]).toString("base64url"),
};
const SEPARATED: Record<string, (s: string, sep: string) => string> = {
  spaced: (s, sep) => [...s].join(sep),
  spacedReversed: (s, sep) => [...s].reverse().join(sep),
  hexPairs: (s, sep) => (Buffer.from(s).toString("hex").match(/../g) ?? []).join(sep),
  wrappedBase64: (s, sep) =>
    (
      Buffer.from(s)
        .toString("base64")
        .match(/.{1,5}/g) ?? []
    ).join(sep),
};
const separator = fc.constantFrom(" ", "  ", "-", ".", ":", "\n", ", ", " | ");

describe("secret forms (property)", () => {
  it("finds and masks a secret in every encoding, embedded in any text", () => {
    fc.assert(
      fc.property(
        printable,
        fc.constantFrom(...Object.keys(ENCODINGS)),
        fc.record({ pre: bytes, post: bytes, before: words, after: words }),
        (secret, enc, { pre, post, before, after }) => {
          const form = (ENCODINGS[enc] as (s: string, a: Buffer, b: Buffer) => string)(secret, pre, post);
          const text = `${before} ${form} ${after}`;
          const m = secretMatcher([secret]);
          expect(m.test(text)).toBe(true);
          const masked = m.mask(text, "***");
          expect(secretMatcher([secret]).test(masked)).toBe(false);
        },
      ),
    );
  });

  it("finds and masks a token spaced out or split by separators", () => {
    fc.assert(
      fc.property(token, fc.constantFrom(...Object.keys(SEPARATED)), separator, words, (secret, enc, sep, around) => {
        const form = (SEPARATED[enc] as (s: string, sep: string) => string)(secret, sep);
        const m = secretMatcher([secret]);
        const text = `${around}\n${form}\n${around}`;
        expect(m.test(text)).toBe(true);
        expect(m.test(m.mask(text, "***"))).toBe(false);
      }),
    );
  });

  it("does not match an unrelated token", () => {
    fc.assert(
      fc.property(token, token, (a, b) => {
        fc.pre(a !== b);
        expect(secretMatcher([a]).test(b)).toBe(false);
      }),
    );
  });

  it("holds back every beginning of a form: a stream never publishes part of the secret", () => {
    fc.assert(
      fc.property(token, fc.constantFrom("plain", "reversed", "hex", "base64", "url"), words, (secret, enc, before) => {
        const form = (ENCODINGS[enc] as (s: string, a: Buffer, b: Buffer) => string)(
          secret,
          Buffer.alloc(0),
          Buffer.alloc(0),
        );
        const text = `${before}${form}`;
        const m = secretMatcher([secret]);
        for (let len = before.length + 1; len < text.length; len++) {
          const prefix = text.slice(0, len);
          if (m.test(prefix)) break;
          expect(len - m.heldBack(prefix)).toBeLessThanOrEqual(before.length);
        }
      }),
    );
  });

  it("keeps only base64 characters that depend on the secret alone", () => {
    fc.assert(
      fc.property(printable, bytes, bytes, (secret, pre, post) => {
        const full = Buffer.concat([pre, Buffer.from(secret), post]).toString("base64");
        const slice = base64Slices(Buffer.from(secret), "base64")[pre.length % 3] as string;
        expect(full).toContain(slice);
      }),
    );
  });
});
