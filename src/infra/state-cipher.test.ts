import { randomBytes } from "node:crypto";
import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { keyId } from "./aead.js";
import { readFileIfExists, writeFileAtomic } from "./fs-atomic.js";
import { conformFile, installStateCipher, type StateCipher } from "./state-cipher.js";

const key = randomBytes(32);
const id = keyId(key, "test");
const ring = { current: { id, key }, byId: new Map([[id, key]]) };
const tmp = () => mkdtemp(path.join(os.tmpdir(), "hf-cipher-"));
const write = (f: string, d: Uint8Array, m: number) => writeFileAtomic(f, d, m, { privateDir: false });

describe("the state cipher seam", () => {
  afterEach(() => installStateCipher(undefined));

  it("seals in-scope writes, leaves others alone, and reads both", async () => {
    const dir = await tmp();
    const inside = path.join(dir, "in.json");
    const outside = path.join(dir, "out.json");
    installStateCipher({ ring, seal: true, inScope: (f) => f === inside });
    await writeFileAtomic(inside, '{"secret":"canary"}');
    await writeFileAtomic(outside, '{"plain":true}');
    expect(await readFile(inside, "latin1")).not.toContain("canary");
    expect(await readFile(outside, "utf8")).toBe('{"plain":true}');
    expect(await readFileIfExists(inside)).toBe('{"secret":"canary"}');
  });

  it("without a key, refuses to read a sealed file and to write one in plaintext", async () => {
    const dir = await tmp();
    const file = path.join(dir, "in.json");
    installStateCipher({ ring, seal: true, inScope: () => true });
    await writeFileAtomic(file, "x");
    installStateCipher({ seal: true, inScope: () => true });
    await expect(readFileIfExists(file)).rejects.toMatchObject({ code: "HF_ENCRYPTION_KEY_MISSING" });
    await expect(writeFileAtomic(file, "y")).rejects.toMatchObject({ code: "HF_ENCRYPTION_KEY_MISSING" });
  });

  it("with encryption on, refuses a plaintext file planted in scope", async () => {
    const dir = await tmp();
    const file = path.join(dir, "allow.json");
    await writeFile(file, '{"allowFrom":["attacker"]}');
    installStateCipher({ ring, seal: true, strict: true, inScope: () => true });
    await expect(readFileIfExists(file)).rejects.toMatchObject({ code: "HF_ENCRYPTION_TAMPERED" });
  });

  it("conforms a file both ways, keeping its mode", async () => {
    const dir = await tmp();
    const file = path.join(dir, "t.jsonl");
    await writeFile(file, "a\nb\n", { mode: 0o640 });
    const on: StateCipher = { ring, seal: true, inScope: () => true };
    installStateCipher(on);
    expect(await conformFile(file, write)).toBe("sealed");
    expect(await conformFile(file, write)).toBe("kept");
    installStateCipher({ ...on, seal: false });
    expect(await conformFile(file, write)).toBe("unsealed");
    expect(await readFile(file, "utf8")).toBe("a\nb\n");
    expect((await import("node:fs")).statSync(file).mode & 0o777).toBe(0o640);
  });
});
