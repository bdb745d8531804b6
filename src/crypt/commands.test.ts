import { mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { openTempStore, tempStateDir } from "../../test/support/temp-state.js";
import { installStateCipher, readFileIfExists } from "../infra/index.js";
import { disableEncryption, enableEncryption, rotateEncryption } from "./commands.js";
import { keyringAccount, MemoryKeyring } from "./keyring.js";
import { openEncryption } from "./open.js";

const CANARY = "pangolinmarmot";

async function seeded(): Promise<{ stateDir: string; transcript: string }> {
  const dirs = tempStateDir("hf-crypt-");
  const dir = path.join(dirs.stateDir, "agents", "main", "sessions");
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const transcript = path.join(dir, "s.jsonl");
  await writeFile(transcript, `{"note":"${CANARY}"}\n`, { mode: 0o600 });
  const store = await openTempStore(dirs);
  store.runs.admit({ runId: "r1", sessionKey: "agent:main:main", message: { content: CANARY } });
  store.close();
  return { stateDir: dirs.stateDir, transcript };
}

describe("encryption commands with the OS keyring", () => {
  afterEach(() => installStateCipher(undefined));

  it("enable --keyring keeps a random key there; rotate --keyring replaces it; disable removes it", async () => {
    const { stateDir, transcript } = await seeded();
    const keyring = new MemoryKeyring();
    const on = await enableEncryption({ stateDir, keyring, useKeyring: true });
    expect(on).toMatchObject({ state: "on", sealed: 1, rows: 1 });
    const first = keyring.entries.get(keyringAccount(stateDir));
    expect(first).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(await readFile(transcript, "latin1")).not.toContain(CANARY);
    installStateCipher(undefined);
    // A new process finds the key in the keyring (no config, no prompt).
    expect(await openEncryption(stateDir, { keyring, strict: true })).toMatchObject({ source: "keyring" });
    expect(await readFileIfExists(transcript)).toContain(CANARY);

    expect(await rotateEncryption({ stateDir, keyring, useKeyring: true })).toMatchObject({ resealed: 1, rows: 1 });
    const second = keyring.entries.get(keyringAccount(stateDir));
    expect(second).not.toBe(first);
    expect(keyring.entries.has(keyringAccount(stateDir, "next"))).toBe(false);
    await expect(openEncryption(stateDir, { configured: first as string, strict: true })).rejects.toMatchObject({
      code: "HF_ENCRYPTION_KEY_WRONG",
    });

    expect(await disableEncryption({ stateDir, keyring })).toMatchObject({ state: "off", unsealed: 1 });
    expect(keyring.entries.size).toBe(0);
    expect(await readFile(transcript, "utf8")).toContain(CANARY);
  });

  it("says clearly when no keyring is there, and refuses --keyring while storage.encryption.key is set", async () => {
    const { stateDir, transcript } = await seeded();
    const before = await readFile(transcript);
    await expect(
      enableEncryption({ stateDir, keyring: new MemoryKeyring(false), useKeyring: true }),
    ).rejects.toMatchObject({ code: "HF_ENCRYPTION_KEYRING", message: expect.stringContaining("not available here") });
    await expect(
      enableEncryption({ stateDir, keyring: new MemoryKeyring(), useKeyring: true, configured: "k" }),
    ).rejects.toMatchObject({ code: "HF_ENCRYPTION_STATE" });
    expect(await readFile(transcript)).toEqual(before);
  });

  it("rotate to a new secret: the new one opens, the old one is refused; missing key names the unresolved ref", async () => {
    const { stateDir } = await seeded();
    const keyring = new MemoryKeyring(false);
    await enableEncryption({ stateDir, keyring, configured: "old secret" });
    await rotateEncryption({ stateDir, keyring, configured: "old secret", newSecret: "new secret" });
    installStateCipher(undefined);
    await expect(openEncryption(stateDir, { keyring, configured: "old secret", strict: true })).rejects.toMatchObject({
      code: "HF_ENCRYPTION_KEY_WRONG",
    });
    expect(await openEncryption(stateDir, { keyring, configured: "new secret", strict: true })).toMatchObject({
      source: "storage.encryption.key",
    });
    await expect(
      openEncryption(stateDir, { keyring, unresolved: "storage.encryption.key SecretRef is unresolved", strict: true }),
    ).rejects.toMatchObject({
      code: "HF_ENCRYPTION_KEY_MISSING",
      message: expect.stringContaining("SecretRef is unresolved"),
    });
  });
});
