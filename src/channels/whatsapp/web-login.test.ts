import { mkdtemp, readdir, readFile, stat } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { captureLogger } from "../../../test/support/capture-log.js";
import { FakeWhatsApp, linkedCredsJson, WA_BOT } from "../../../test/support/fake-baileys.js";
import { writeFileAtomic } from "../../infra/index.js";
import { whatsappAuthDir } from "./auth-store.js";
import { WhatsAppWebLogin } from "./web-login.js";

const svgOf = (dataUrl: string | undefined) =>
  Buffer.from((dataUrl ?? "").replace(/^data:image\/svg\+xml;base64,/, ""), "base64").toString("utf8");

describe("WhatsApp linking through the gateway (web.login.start / web.login.wait)", () => {
  let fake: FakeWhatsApp;
  let credentialsDir: string;
  let linked: string[];
  let login: WhatsAppWebLogin;

  beforeEach(async () => {
    fake = new FakeWhatsApp();
    fake.linked = false;
    credentialsDir = path.join(await mkdtemp(path.join(os.tmpdir(), "hf-wa-web-")), "credentials");
    linked = [];
    login = new WhatsAppWebLogin({
      credentialsDir,
      connector: fake.connector,
      log: captureLogger().log,
      onLinked: async (id) => {
        linked.push(id);
        return "the account is starting";
      },
    });
  });
  afterEach(async () => {
    await login.stop();
  });

  it("returns the QR as an SVG data URL, the same one on a second start, the rotated one afterwards", async () => {
    const first = await login.start("work");
    expect(first.accountId).toBe("work");
    expect(first.qr).toMatch(/^2@.+,1$/);
    expect(first.qrDataUrl).toMatch(/^data:image\/svg\+xml;base64,/);
    expect(svgOf(first.qrDataUrl)).toMatch(/^<svg[\s\S]*<\/svg>$/);
    const again = await login.start("work");
    expect(again.qr).toBe(first.qr);
    expect(fake.connections).toBe(1);
    fake.rotateQr();
    const rotated = await login.start("work");
    expect(rotated.qr).toMatch(/,2$/);
    expect(rotated.qrDataUrl).not.toBe(first.qrDataUrl);
    const pending = await login.wait("work", 20);
    expect(pending).toMatchObject({ connected: false, pending: true, qr: rotated.qr, qrDataUrl: rotated.qrDataUrl });
  });

  it("resolves wait once the phone scanned: credentials saved 600 in 700, the account started", async () => {
    await login.start("work");
    const waiting = login.wait("work", 10_000);
    fake.scan();
    const done = await waiting;
    expect(done).toMatchObject({ accountId: "work", connected: true });
    expect(done.message).toContain(`linked WhatsApp ${WA_BOT.number} as account "work"; the account is starting`);
    expect(linked).toEqual(["work"]);
    const dir = whatsappAuthDir(credentialsDir, "work");
    expect((await stat(dir)).mode & 0o777).toBe(0o700);
    for (const f of await readdir(dir)) expect((await stat(path.join(dir, f))).mode & 0o777).toBe(0o600);
    const creds = JSON.parse(await readFile(path.join(dir, "creds.json"), "utf8")) as { me?: { id?: string } };
    expect(creds.me?.id).toBe(WA_BOT.deviceJid);
    // Asked again, the result stays; a new start sees the linked account and shows no QR.
    expect(await login.wait("work", 0)).toMatchObject({ connected: true });
    const after = await login.start("work", { force: true });
    expect(after.qrDataUrl).toBeUndefined();
    expect(after.message).toContain("already linked (+15550000001)");
    expect(fake.sockets.every((s) => s.state === "closed")).toBe(true);
  });

  it("force restarts a running linking with a new socket and a new QR, the old socket closed", async () => {
    const first = await login.start("work");
    const second = await login.start("work", { force: true });
    expect(second.qr).not.toBe(first.qr);
    expect(fake.connections).toBe(2);
    expect(fake.sockets[0]?.state).toBe("closed");
    fake.scan();
    expect(await login.wait("work", 10_000)).toMatchObject({ connected: true });
  });

  it("an expired QR fails the linking with the reason and leaves no state behind", async () => {
    await login.start("default");
    const waiting = login.wait("default");
    fake.qrExpires();
    const end = await waiting;
    expect(end).toMatchObject({ connected: false, accountId: "default" });
    expect(end.pending).toBeUndefined();
    expect(end.message).toContain("not scanned in time");
    await expect(stat(whatsappAuthDir(credentialsDir, "default"))).rejects.toThrow();
    expect(linked).toEqual([]);
  });

  it("wait without a linking says so, or reports an account linked earlier", async () => {
    expect(await login.wait("work", 0)).toMatchObject({
      connected: false,
      message: expect.stringContaining("no WhatsApp linking"),
    });
    await writeFileAtomic(path.join(whatsappAuthDir(credentialsDir, "old"), "creds.json"), linkedCredsJson());
    expect(await login.wait("old", 0)).toMatchObject({
      connected: true,
      message: expect.stringContaining("(+15550000001)"),
    });
    expect((await login.start("old")).qrDataUrl).toBeUndefined();
    expect(fake.connections).toBe(0);
  });

  it("a start that gets no QR in time fails with the reason", async () => {
    fake.drop(1); // the first socket is refused before any QR
    await expect(login.start("work", { qrTimeoutMs: 5_000 })).rejects.toMatchObject({ code: "HF_CHANNEL_NETWORK" });
  });
});
