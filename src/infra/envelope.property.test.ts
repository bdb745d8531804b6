import { randomBytes } from "node:crypto";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { isHoldfastError } from "../errors/index.js";
import { keyId } from "./aead.js";
import { newFileKey, openSealed, sealRecord, sealWhole, type KeyRing } from "./envelope.js";

const ringOf = (key: Buffer): KeyRing => {
  const id = keyId(key, "test");
  return { current: { id, key }, byId: new Map([[id, key]]) };
};
const ring = ringOf(randomBytes(32));
const refused = (fn: () => unknown) => {
  try {
    fn();
  } catch (err) {
    return isHoldfastError(err) && err.code.startsWith("HF_ENCRYPTION_");
  }
  return false;
};

describe("the at-rest envelope", () => {
  it("gives back exactly what was sealed, whole or as appended records", () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 300 }), { maxLength: 8 }), (chunks) => {
        const { key, keyLine } = newFileKey(ring);
        const file = Buffer.from(keyLine + chunks.map((c) => sealRecord(key, c)).join(""));
        expect(openSealed(ring, file, "f").plain.equals(Buffer.concat(chunks))).toBe(true);
        const whole = Buffer.concat(chunks);
        expect(openSealed(ring, sealWhole(ring, whole), "f").plain.equals(whole)).toBe(true);
      }),
    );
  });

  it("never holds the plaintext in the clear", () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[a-z]{12,40}$/), (word) => {
        expect(sealWhole(ring, Buffer.from(`{"text":"${word}"}`)).toString("latin1")).not.toContain(word);
      }),
    );
  });

  it("refuses a file with any byte changed (the final newline of a torn tail aside)", () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 1, maxLength: 200 }),
        fc.nat(),
        fc.integer({ min: 1, max: 255 }),
        (plain, at, flip) => {
          const sealed = sealWhole(ring, plain);
          const i = at % (sealed.length - 1);
          const bad = Buffer.from(sealed);
          bad[i] = (bad[i] as number) ^ flip;
          expect(refused(() => openSealed(ring, bad, "f"))).toBe(true);
        },
      ),
    );
  });

  it("refuses a record moved from another file, and another key", () => {
    const a = newFileKey(ring);
    const b = newFileKey(ring);
    const moved = Buffer.from(a.keyLine + sealRecord(b.key, Buffer.from("x")));
    expect(refused(() => openSealed(ring, moved, "f"))).toBe(true);
    expect(refused(() => openSealed(ringOf(randomBytes(32)), sealWhole(ring, Buffer.from("x")), "f"))).toBe(true);
  });

  it("ignores a torn last record, as a JSONL reader does", () => {
    const { key, keyLine } = newFileKey(ring);
    const whole = keyLine + sealRecord(key, Buffer.from("one\n")) + sealRecord(key, Buffer.from("two\n"));
    expect(openSealed(ring, Buffer.from(whole.slice(0, -10)), "f").plain.toString()).toBe("one\n");
  });
});
