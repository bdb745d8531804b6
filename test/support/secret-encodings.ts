import fc from "fast-check";

const TOKEN_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-".split("");

/** Realistic secrets: tokens and keys of 16 to 64 URL-safe characters. */
export const tokenArb = fc
  .array(fc.constantFrom(...TOKEN_CHARS), { minLength: 16, maxLength: 64 })
  .map((a) => a.join(""));

/** Any printable ASCII secret of 8 to 40 characters (passwords with punctuation). */
export const printableSecretArb = fc.string({
  unit: fc.integer({ min: 33, max: 126 }).map((c) => String.fromCharCode(c)),
  minLength: 8,
  maxLength: 40,
});

/** Up to 8 bytes placed around a secret before it is base64-encoded (any of the three alignments). */
export const paddingBytesArb = fc.uint8Array({ maxLength: 8 }).map((b) => Buffer.from(b));

/** Text around a leak. */
export const wordsArb = fc.string({ maxLength: 30 });

/** The encodings a leak would use: each takes the secret and returns the text that carries it. */
export const ENCODINGS: Record<string, (s: string, pre: Buffer, post: Buffer) => string> = {
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

/** Forms split by a separator: spaced out, hex pairs, base64 wrapped over lines. */
export const SEPARATED: Record<string, (s: string, sep: string) => string> = {
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

export const separatorArb = fc.constantFrom(" ", "  ", "-", ".", ":", "\n", ", ", " | ");

/** One way of writing `secret`: an encoding (with base64 padding bytes) or a separated form. */
export function formOfArb(secret: string): fc.Arbitrary<string> {
  return fc.oneof(
    fc
      .record({ enc: fc.constantFrom(...Object.keys(ENCODINGS)), pre: paddingBytesArb, post: paddingBytesArb })
      .map(({ enc, pre, post }) => (ENCODINGS[enc] as (s: string, a: Buffer, b: Buffer) => string)(secret, pre, post)),
    fc
      .record({ enc: fc.constantFrom(...Object.keys(SEPARATED)), sep: separatorArb })
      .map(({ enc, sep }) => (SEPARATED[enc] as (s: string, sep: string) => string)(secret, sep)),
  );
}

/** A realistic token and one form of it (any encoding or separated form). */
export const tokenInSomeFormArb = tokenArb.chain((secret) => formOfArb(secret).map((form) => ({ secret, form })));
