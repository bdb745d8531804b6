import { mkdtemp, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { captureLogger, instantClock } from "../../../test/support/capture-log.js";
import { waSettings } from "../../../test/support/contract-whatsapp.js";
import { FakeWhatsApp, linkedCredsJson } from "../../../test/support/fake-baileys.js";
import { channelState } from "../../../test/support/temp-state.js";
import { WhatsAppAdapter } from "./adapter.js";

const until = async (cond: () => boolean, what: string) => {
  for (let i = 0; i < 300 && !cond(); i++) await new Promise((r) => setTimeout(r, 20));
  if (!cond()) throw new Error(`timed out: ${what}`);
};

describe("WhatsApp adapter resume (a device linked while the gateway runs)", () => {
  it("an account that stopped for lack of a linked device connects once resumed; resume is a no-op while it runs or after stop", async () => {
    const fake = new FakeWhatsApp();
    const dir = await mkdtemp(path.join(os.tmpdir(), "hf-wa-resume-"));
    const authDir = path.join(dir, "credentials", "whatsapp", "default");
    const adapter = new WhatsAppAdapter(waSettings(authDir), {
      log: captureLogger().log,
      clock: instantClock,
      queues: channelState(dir, "whatsapp").queues,
      connector: fake.connector,
    });
    await adapter.resume(); // before start: nothing
    expect(fake.connections).toBe(0);
    await adapter.start(async () => undefined);
    await until(() => adapter.status().state === "failed", "failed without a linked device");
    expect(fake.connections).toBe(0);
    await writeFile(path.join(authDir, "creds.json"), linkedCredsJson(), { mode: 0o600 });
    await adapter.resume();
    await until(() => adapter.status().state === "running", "running after resume");
    await adapter.resume();
    expect(fake.connections).toBe(1);
    await adapter.stop();
    await adapter.resume();
    expect(fake.connections).toBe(1);
  });
});
