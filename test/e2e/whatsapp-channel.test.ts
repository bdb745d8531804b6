import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PairingStore } from "../../src/access/index.js";
import { systemClock } from "../../src/infra/index.js";
import {
  makeStateDir,
  mockModelConfig,
  runCli,
  spawnGateway,
  type GatewayProcess,
} from "../support/gateway-process.js";
import { startMockModelServer, type MockModelServer } from "../support/mock-model-server.js";

/**
 * A real gateway process with `channels.whatsapp` configured but no device linked: the account fails
 * with one clear status (never a QR in the log, never a connection to WhatsApp), the gateway keeps
 * running, and status, doctor and logout say what to do. The linked flows run through the adapter seam
 * (src/channels/whatsapp/*.test.ts): WhatsApp's servers cannot be faked behind Baileys' Noise handshake.
 */
describe("WhatsApp in a real gateway process, before a device is linked", () => {
  let mock: MockModelServer;
  let stateDir: string;
  let gw: GatewayProcess;

  beforeAll(async () => {
    mock = await startMockModelServer();
    stateDir = await makeStateDir({
      ...mockModelConfig(mock.url),
      channels: { whatsapp: { dmPolicy: "pairing", accounts: { work: { allowFrom: ["+1 (555) 123-4567"] } } } },
    });
    gw = await spawnGateway(stateDir);
  });
  afterAll(async () => {
    await gw?.stop();
    await mock?.close();
  });

  it("pairing approve --notify is refused with the reason before anything is approved", async () => {
    const store = new PairingStore(path.join(stateDir, "credentials"), "whatsapp", systemClock);
    await store.upsert("work", "+15557654321");
    const code = (await store.list("work"))[0]?.code as string;
    const res = await runCli(stateDir, ["pairing", "approve", "whatsapp", code, "--notify"]);
    expect(res.code).not.toBe(0);
    expect(res.stderr).toContain("--notify is not supported for WhatsApp");
    expect(res.stderr).toContain("Nothing was approved.");
    expect((await store.list("work")).map((r) => r.code)).toEqual([code]);
    const plain = await runCli(stateDir, ["pairing", "approve", "whatsapp", code]);
    expect(plain.code, plain.stderr).toBe(0);
    expect(await store.list("work")).toEqual([]);
  });

  it("channels status shows the account failed with the login command, and the gateway keeps running", async () => {
    let status: { accounts: Record<string, unknown>[] } = { accounts: [] };
    for (let i = 0; i < 100; i++) {
      const res = await runCli(stateDir, ["channels", "status", "--json"]);
      expect(res.code, res.stderr).toBe(0);
      status = JSON.parse(res.stdout) as typeof status;
      if (status.accounts[0]?.state === "failed") break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(status.accounts).toEqual([
      expect.objectContaining({
        channel: "whatsapp",
        accountId: "work",
        state: "failed",
        errorCode: "HF_CHANNEL_AUTH",
        lastError: expect.objectContaining({
          message: expect.stringContaining("holdfast channels login --channel whatsapp --account work"),
        }),
      }),
    ]);
    const text = await runCli(stateDir, ["channels", "status"]);
    expect(text.stdout).toMatch(/^whatsapp\/work: failed HF_CHANNEL_AUTH/m);
    expect(gw.stderr.join("") + gw.stdout.join("")).not.toMatch(/2@[A-Za-z0-9+/=]{10,},/);
    expect((await runCli(stateDir, ["status", "--json"])).code).toBe(0);
  });

  it("doctor names the login command for the unlinked account", async () => {
    const res = await runCli(stateDir, ["doctor"]);
    expect(res.stdout + res.stderr).toContain("holdfast channels login --channel whatsapp --account work");
  });
});
