import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  ENCODINGS,
  SEPARATED,
  paddingBytesArb as bytes,
  printableSecretArb as printable,
  separatorArb as separator,
  tokenArb as token,
  wordsArb as words,
} from "../../test/support/secret-encodings.js";
import { base64Slices, secretMatcher } from "./secret-forms.js";

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
