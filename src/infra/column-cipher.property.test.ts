import { randomBytes } from "node:crypto";
import fc from "fast-check";
import { afterEach, describe, expect, it } from "vitest";
import { keyId } from "./aead.js";
import { isSealedColumn, openColumn, recodeColumn, sealColumn } from "./column-cipher.js";
import { installStateCipher } from "./state-cipher.js";

const kek = (label: string) => {
  const key = randomBytes(32);
  return { id: keyId(key, label), key };
};
const a = kek("a");
const b = kek("b");
const ringOf = (...keys: { id: string; key: Buffer }[]) => ({
  current: keys[0] as { id: string; key: Buffer },
  byId: new Map(keys.map((k) => [k.id, k.key])),
});
const on = (...keys: { id: string; key: Buffer }[]) =>
  installStateCipher({ ring: ringOf(...keys), seal: true, inScope: () => true });

describe("sealed columns of the state database", () => {
  afterEach(() => installStateCipher(undefined));

  it("round-trips any text, and no sealed value contains its text (property)", () => {
    on(a);
    fc.assert(
      fc.property(fc.string({ minLength: 4 }), (text) => {
        const stored = sealColumn("runs.message", text);
        expect(isSealedColumn(stored)).toBe(true);
        expect(stored.includes(text)).toBe(false);
        expect(openColumn("runs.message", stored)).toBe(text);
      }),
    );
  });

  it("is a pass-through with encryption off, and reads plaintext rows in any state", () => {
    expect(sealColumn("runs.message", "hello")).toBe("hello");
    on(a);
    expect(openColumn("runs.message", '{"content":"hello"}')).toBe('{"content":"hello"}');
  });

  it("refuses a value moved to another column, a changed byte, an unknown key and a missing key", () => {
    on(a);
    const stored = sealColumn("runs.message", "secret words");
    expect(() => openColumn("channel_outbox.text", stored)).toThrow(
      expect.objectContaining({ code: "HF_ENCRYPTION_TAMPERED" }),
    );
    const flipped = `${stored.slice(0, -4)}${stored.endsWith("AAAA") ? "BBBB" : "AAAA"}`;
    expect(() => openColumn("runs.message", flipped)).toThrow(
      expect.objectContaining({ code: "HF_ENCRYPTION_TAMPERED" }),
    );
    on(b);
    expect(() => openColumn("runs.message", stored)).toThrow(
      expect.objectContaining({ code: "HF_ENCRYPTION_KEY_WRONG" }),
    );
    installStateCipher({ seal: true, inScope: () => true });
    expect(() => openColumn("runs.message", stored)).toThrow(
      expect.objectContaining({ code: "HF_ENCRYPTION_KEY_MISSING" }),
    );
    expect(() => sealColumn("runs.message", "x")).toThrow(
      expect.objectContaining({ code: "HF_ENCRYPTION_KEY_MISSING" }),
    );
  });

  it("recodes to the wanted format: seal, keep, re-seal under a new key, decrypt", () => {
    on(a);
    const sealed = recodeColumn("runs.outcome", "plain reply");
    expect(isSealedColumn(sealed)).toBe(true);
    expect(recodeColumn("runs.outcome", sealed)).toBe(sealed);
    on(b, a);
    const resealed = recodeColumn("runs.outcome", sealed);
    expect(resealed).not.toBe(sealed);
    expect(resealed.startsWith(`\u0001hfc1:${b.id}:`)).toBe(true);
    installStateCipher({ ring: ringOf(b), seal: false, inScope: () => true });
    expect(recodeColumn("runs.outcome", resealed)).toBe("plain reply");
    expect(recodeColumn("runs.outcome", "plain reply")).toBe("plain reply");
  });
});
