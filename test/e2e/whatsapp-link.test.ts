import { stat } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GatewayClient } from "../../src/client/index.js";
import { jidOf, WA_BOT } from "../support/fake-baileys.js";
import { makeStateDir, mockModelConfig, runCli } from "../support/gateway-process.js";
import { startMockModelServer, type MockModelServer } from "../support/mock-model-server.js";
import { spawnWhatsAppGateway, type WhatsAppGateway } from "../support/whatsapp-gateway.js";

const FRIEND = { number: "+15557770002", name: "Friend" };

const until = async <T>(get: () => Promise<T>, ok: (v: T) => boolean, what: string): Promise<T> => {
  for (let i = 0; i < 200; i++) {
    const v = await get();
    if (ok(v)) return v;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out: ${what}`);
};

type Status = { accounts: { accountId: string; state: string; botUsername?: string }[] };

/**
 * WhatsApp linking in a real gateway process whose socket factory is the fake of WhatsApp: the
 * gateway methods (operator.admin), `holdfast channels login` through the running gateway, the
 * account starting without a restart, and a message reaching the agent afterwards.
 */
describe("WhatsApp linking through a running gateway", () => {
  let mock: MockModelServer;
  let stateDir: string;
  let wa: WhatsAppGateway;
  let admin: GatewayClient;

  beforeAll(async () => {
    mock = await startMockModelServer();
    stateDir = await makeStateDir({
      ...mockModelConfig(mock.url),
      channels: {
        whatsapp: {
          dmPolicy: "allowlist",
          accounts: { work: { allowFrom: [FRIEND.number] }, home: { allowFrom: [FRIEND.number] } },
        },
      },
    });
    wa = await spawnWhatsAppGateway(stateDir);
    admin = await GatewayClient.connect({ url: wa.gw.url, token: await wa.gw.token(), scopes: ["operator.admin"] });
  }, 90_000);
  afterAll(async () => {
    admin?.close();
    await wa?.gw.stop();
    await mock?.close();
  });

  it("refuses web.login.* without operator.admin", async () => {
    const reader = await GatewayClient.connect({ url: wa.gw.url, token: await wa.gw.token() });
    await expect(reader.request("web.login.start", { accountId: "work" })).rejects.toMatchObject({
      message: expect.stringMatching(/operator\.admin/),
    });
    await expect(reader.request("web.login.wait", { accountId: "work" })).rejects.toThrow();
    reader.close();
    expect(await wa.connections()).toEqual([]);
  });

  it("links an account through the gateway methods; it starts receiving without a restart", async () => {
    const status = () => admin.request("channels.status") as Promise<Status>;
    expect((await status()).accounts.find((a) => a.accountId === "work")?.state).toBe("failed");
    const start = (await admin.request("web.login.start", { accountId: "work" })) as Record<string, string>;
    expect(start.qrDataUrl).toMatch(/^data:image\/svg\+xml;base64,/);
    const again = (await admin.request("web.login.start", { accountId: "work" })) as Record<string, string>;
    expect(again.qrDataUrl).toBe(start.qrDataUrl);
    await wa.rotateQr();
    const rotated = (await admin.request("web.login.wait", { accountId: "work", timeoutMs: 50 })) as Record<
      string,
      unknown
    >;
    expect(rotated).toMatchObject({ connected: false, pending: true });
    expect(rotated.qrDataUrl).not.toBe(start.qrDataUrl);
    const waiting = admin.request("web.login.wait", { accountId: "work", timeoutMs: 20_000 });
    await wa.scan();
    expect(await waiting).toMatchObject({ accountId: "work", connected: true });
    const dir = path.join(stateDir, "credentials", "whatsapp", "work");
    expect((await stat(dir)).mode & 0o777).toBe(0o700);
    expect((await stat(path.join(dir, "creds.json"))).mode & 0o777).toBe(0o600);
    const work = await until(
      status,
      (s) => s.accounts.some((a) => a.accountId === "work" && a.state === "running"),
      "work running",
    );
    expect(work.accounts.find((a) => a.accountId === "work")?.botUsername).toBe(WA_BOT.number);
    await wa.userSends({ from: FRIEND, text: "hello after linking" });
    const sent = await until(
      () => wa.sent(),
      (s) => s.some((m) => m.text.includes("echo: hello after linking")),
      "the agent's reply",
    );
    expect(sent.find((m) => m.text.includes("echo: hello after linking"))?.jid).toBe(jidOf(FRIEND.number));
    expect(mock.requests.some((r) => r.messages.some((m) => m.content.includes("hello after linking")))).toBe(true);
    const linked = (await admin.request("web.login.start", { accountId: "work" })) as Record<string, unknown>;
    expect(linked.qrDataUrl).toBeUndefined();
    expect(linked.message).toContain("already linked (+15550000001)");
  });

  it("holdfast channels login uses the running gateway's linking: QR in the terminal, then linked", async () => {
    const before = (await wa.connections()).length;
    const cli = runCli(stateDir, ["channels", "login", "--channel", "whatsapp", "--account", "home"], {
      timeoutMs: 40_000,
    });
    // The gateway opens the one linking socket; the CLI opens none.
    await until(
      () => wa.connections(),
      (c) => c.length === before + 1 && c.at(-1) === "connecting",
      "the gateway's linking socket",
    );
    await new Promise((r) => setTimeout(r, 300));
    await wa.scan();
    const res = await cli;
    expect(res.code, res.stderr).toBe(0);
    expect(res.stdout).toContain("through the running gateway");
    expect(res.stdout.split("\n").filter((l) => /[█▀▄]/.test(l)).length).toBeGreaterThan(10);
    expect(res.stdout).toContain(`linked WhatsApp ${WA_BOT.number} as account "home"`);
    expect(res.stdout).toContain("the account is starting");
    await until(
      () => admin.request("channels.status") as Promise<Status>,
      (s) => s.accounts.some((a) => a.accountId === "home" && a.state === "running"),
      "home running",
    );
  });
});
