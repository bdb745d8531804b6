import { mkdtemp, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { META_FILE } from "../crypt/index.js";
import { auditIds } from "./test-context.fixture.js";

const kek = { id: "0123456789abcdef", salt: "c2FsdHNhbHRzYWx0c2FsdA==", N: 32768, r: 8, p: 1 };
const meta = (state: string) => JSON.stringify({ version: 1, state, kek, updatedAt: new Date().toISOString() });
const key = { storage: { encryption: { key: { source: "env", provider: "default", id: "K" } } } };

describe("security audit: encryption at rest", () => {
  it("reports off, a key that protects nothing, on, and an interrupted migration", async () => {
    const stateDir = await mkdtemp(path.join(os.tmpdir(), "hf-audit-crypt-"));
    const ids = async (config: Record<string, unknown>) =>
      (await auditIds(config, { stateDir, env: { K: "k" } })).filter((i) => i.startsWith("storage.encryption"));
    expect(await ids({})).toEqual(["storage.encryption.off:info"]);
    expect(await ids(key)).toEqual(["storage.encryption.key_unused:warn"]);
    await writeFile(path.join(stateDir, META_FILE), meta("on"));
    expect(await ids(key)).toEqual(["storage.encryption.on:info"]);
    await writeFile(path.join(stateDir, META_FILE), meta("enabling"));
    expect(await ids(key)).toEqual(["storage.encryption.interrupted:warn"]);
  });
});
