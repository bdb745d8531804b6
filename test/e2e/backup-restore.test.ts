import { readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PairingStore } from "../../src/access/index.js";
import { systemClock } from "../../src/infra/index.js";
import { sendAndWait } from "../support/chat.js";
import {
  makeStateDir,
  mockModelConfig,
  runCli,
  spawnConnectedGateway,
  spawnGateway,
  type ConnectedGateway,
} from "../support/gateway-process.js";
import { startMockModelServer, type MockModelServer } from "../support/mock-model-server.js";

const PASS = { BACKUP_PASS: "correct horse battery staple 42" };

/** Every path under `dir` with its mode, skipping what the gateway recreates on each start. */
async function modes(dir: string, rel = ""): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const e of await readdir(path.join(dir, rel), { withFileTypes: true })) {
    const r = rel ? `${rel}/${e.name}` : e.name;
    out[r] = (await stat(path.join(dir, r))).mode & 0o777;
    if (e.isDirectory()) Object.assign(out, await modes(dir, r));
  }
  return out;
}

describe("backup: create while the gateway runs, verify, wipe, restore the same sessions and pairing state", () => {
  let mock: MockModelServer;
  let stateDir: string;
  let running: ConnectedGateway;
  const archive = () => path.join(path.dirname(stateDir), `${path.basename(stateDir)}-backup.tgz.enc`);

  beforeAll(async () => {
    mock = await startMockModelServer();
    stateDir = await makeStateDir(mockModelConfig(mock.url));
    running = await spawnConnectedGateway(stateDir);
  });

  afterAll(async () => {
    await running?.close(mock);
    await rm(archive(), { force: true });
  });

  it("round-trips an encrypted archive; verify catches a wrong passphrase and a flipped byte; restore refuses a used dir", async () => {
    for (const n of [1, 2])
      expect((await sendAndWait(running.client, "agent:main:backup", `turn ${n}`)).state).toBe("final");
    const pairing = new PairingStore(path.join(stateDir, "credentials"), "telegram", systemClock);
    await pairing.upsert("default", "5005", "Pending Person");
    const approved = await pairing.upsert("default", "6006", "Approved Person");
    await pairing.approve(approved.code as string);
    const sessionsBefore = (await runCli(stateDir, ["sessions", "list", "--json"])).stdout;
    const shownBefore = (await runCli(stateDir, ["sessions", "show", "agent:main:backup", "--json"])).stdout;
    const pairingBefore = (await runCli(stateDir, ["pairing", "list", "telegram", "--json"])).stdout;
    const allowBefore = await readFile(path.join(stateDir, "credentials", "telegram-allowFrom.json"), "utf8");

    const made = await runCli(stateDir, ["backup", "create", "--out", archive(), "--passphrase-env", "BACKUP_PASS"], {
      env: PASS,
    });
    expect(made.code, made.stderr).toBe(0);
    expect(made.stdout).toContain("encrypted");
    expect((await stat(archive())).mode & 0o777).toBe(0o600);
    const raw = await readFile(archive());
    for (const needle of ["turn 1", "5005", "mock-key-not-secret"]) expect(raw.includes(needle)).toBe(false);

    const ok = await runCli(stateDir, ["backup", "verify", archive(), "--passphrase-env", "BACKUP_PASS"], {
      env: PASS,
    });
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stdout).toMatch(/^ok: \d+ files match their checksums/);
    const noPass = await runCli(stateDir, ["backup", "verify", archive()]);
    expect(noPass.code).toBe(1);
    expect(noPass.stderr).toContain("is encrypted: give its passphrase with --passphrase-env");
    const wrong = await runCli(stateDir, ["backup", "verify", archive(), "--passphrase-env", "BACKUP_PASS"], {
      env: { BACKUP_PASS: "wrong" },
    });
    expect(wrong.code).toBe(1);
    const flipped = `${archive()}.flipped`;
    const copy = Buffer.from(raw);
    const mid = Math.floor(copy.length / 2);
    copy[mid] = (copy[mid] as number) ^ 0xff;
    await writeFile(flipped, copy);
    const bad = await runCli(stateDir, ["backup", "verify", flipped, "--passphrase-env", "BACKUP_PASS"], { env: PASS });
    await rm(flipped);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain("authentication failed");

    const inUse = await runCli(stateDir, ["backup", "restore", archive(), "--passphrase-env", "BACKUP_PASS"], {
      env: PASS,
    });
    expect(inUse.code).toBe(1);
    expect(inUse.stderr).toContain("is running: stop it before restoring");

    await running.close();
    const modesBefore = await modes(stateDir);
    await rm(stateDir, { recursive: true, force: true });
    const restored = await runCli(stateDir, ["backup", "restore", archive(), "--passphrase-env", "BACKUP_PASS"], {
      env: PASS,
    });
    expect(restored.code, restored.stderr).toBe(0);
    expect((await stat(stateDir)).mode & 0o777).toBe(0o700);
    const modesAfter = await modes(stateDir);
    for (const [p, m] of Object.entries(modesAfter)) expect([p, m]).toEqual([p, modesBefore[p] ?? m]);
    expect(Object.values(modesAfter).every((m) => m === 0o700 || m === 0o600)).toBe(true);
    const again = await runCli(stateDir, ["backup", "restore", archive(), "--passphrase-env", "BACKUP_PASS"], {
      env: PASS,
    });
    expect(again.stderr).toContain("is not empty");

    expect((await runCli(stateDir, ["sessions", "list", "--json"])).stdout).toBe(sessionsBefore);
    expect((await runCli(stateDir, ["sessions", "show", "agent:main:backup", "--json"])).stdout).toBe(shownBefore);
    expect((await runCli(stateDir, ["pairing", "list", "telegram", "--json"])).stdout).toBe(pairingBefore);
    expect(await readFile(path.join(stateDir, "credentials", "telegram-allowFrom.json"), "utf8")).toBe(allowBefore);
    // The restored state dir runs: the gateway starts on it and answers in the restored session.
    const gw = await spawnGateway(stateDir);
    await gw.stop();
    expect((await runCli(stateDir, ["audit-log", "verify"])).code).toBe(0);
  }, 120_000);
});
