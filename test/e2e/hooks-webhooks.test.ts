import { request } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { FakeTelegram } from "../support/fake-telegram.js";
import { makeStateDir, runCli, type GatewayProcess } from "../support/gateway-process.js";
import type { MockModelServer } from "../support/mock-model-server.js";
import { startTelegramGateway, type TelegramGateway } from "../support/telegram-gateway.js";

const BOT = { token: "700021:HooksTokenHooksTokenHooksToken0000", id: 700021, username: "holdfast_hooks_bot" };
const HOOKS_TOKEN = "hooks-e2e-token-0123456789abcdefghij";

/** Sends raw bytes as a POST and resolves with the status and Retry-After (a stalled body if `stall`). */
function rawPost(
  port: number,
  path: string,
  o: { headers?: Record<string, string>; body?: string; stall?: boolean } = {},
): Promise<{ status: number; retryAfter?: string; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: "127.0.0.1", port, path, method: "POST", headers: { "content-type": "application/json", ...o.headers } },
      (res) => {
        let body = "";
        res.on("data", (b: Buffer) => (body += b.toString()));
        res.on("end", () =>
          resolve({
            status: res.statusCode ?? 0,
            body,
            ...(res.headers["retry-after"] ? { retryAfter: String(res.headers["retry-after"]) } : {}),
          }),
        );
      },
    );
    req.on("error", reject);
    if (o.stall) req.write('{"message":"never fini');
    else req.end(o.body ?? "");
  });
}

const bearer = { authorization: `Bearer ${HOOKS_TOKEN}` };

describe("webhooks through a real gateway process", () => {
  let tg: TelegramGateway;
  let mock: MockModelServer;
  let fake: FakeTelegram;
  let gw: GatewayProcess;

  beforeAll(async () => {
    tg = await startTelegramGateway(BOT, {
      telegram: { dmPolicy: "allowlist", allowFrom: ["tg:2001"] },
      config: () => ({
        hooks: {
          enabled: true,
          token: HOOKS_TOKEN,
          allowedAgentIds: ["main"],
          defaultSessionKey: "hook:inbox",
          deliver: { channel: "telegram", to: "2001" },
        },
      }),
    });
    ({ mock, fake, gw } = tg);
  });

  afterAll(() => tg?.close());

  it("runs a /hooks/agent turn through the model and delivers the reply to the Telegram chat", async () => {
    const res = await rawPost(gw.port, "/hooks/agent", {
      headers: bearer,
      body: JSON.stringify({ message: "deploy finished", name: "ci" }),
    });
    expect(res.status).toBe(202);
    expect(JSON.parse(res.body)).toMatchObject({ ok: true, sessionKey: "agent:main:hook:inbox" });
    const sent = await fake.waitForSent((s) => s.chatId === "2001");
    expect(sent.text).toContain("deploy finished");
    const seen = mock.requests.flatMap((r) => r.messages).find((m) => m.content.includes("deploy finished"));
    expect(seen?.content).toMatch(/^<<<EXTERNAL_CONTENT id=[0-9a-f]{24} source="webhook ci">>>\ndeploy finished\n/);
  });

  it("takes the token from x-openclaw-token and x-holdfast-token too; /hooks/wake runs without delivery", async () => {
    const before = fake.sent.length;
    const wake = await rawPost(gw.port, "/hooks/wake", {
      headers: { "x-openclaw-token": HOOKS_TOKEN },
      body: JSON.stringify({ text: "disk almost full" }),
    });
    expect(wake.status).toBe(202);
    const agent = await rawPost(gw.port, "/hooks/agent", {
      headers: { "x-holdfast-token": HOOKS_TOKEN },
      body: JSON.stringify({ message: "quiet", deliver: false }),
    });
    expect(agent.status).toBe(202);
    await expect.poll(() => mock.requests.filter((r) => JSON.stringify(r.messages).includes("quiet")).length).toBe(1);
    expect(
      mock.requests.some((r) =>
        /<<<EXTERNAL_CONTENT id=[0-9a-f]{24} source=\\"webhook wake \(system event\)\\">>>\\ndisk almost full\\n/.test(
          JSON.stringify(r.messages),
        ),
      ),
    ).toBe(true);
    await new Promise((r) => setTimeout(r, 300));
    expect(fake.sent.length).toBe(before);
  });

  it("refuses ?token= with 400 even with a valid header, a missing or wrong token with 401", async () => {
    const body = JSON.stringify({ message: "x" });
    expect((await rawPost(gw.port, `/hooks/agent?token=${HOOKS_TOKEN}`, { headers: bearer, body })).status).toBe(400);
    expect((await rawPost(gw.port, "/hooks/agent", { body })).status).toBe(401);
    expect((await rawPost(gw.port, "/hooks/agent", { headers: { authorization: "Bearer wrong" }, body })).status).toBe(
      401,
    );
  });

  it("refuses a caller-chosen session key and an agent outside allowedAgentIds with 400", async () => {
    const key = await rawPost(gw.port, "/hooks/agent", {
      headers: bearer,
      body: JSON.stringify({ message: "x", sessionKey: "main" }),
    });
    expect(key.status).toBe(400);
    expect(key.body).toContain("allowRequestSessionKey");
    const agent = await rawPost(gw.port, "/hooks/agent", {
      headers: bearer,
      body: JSON.stringify({ message: "x", agentId: "other" }),
    });
    expect(agent.status).toBe(400);
  });

  it("refuses a body above 256 KiB with 413", async () => {
    const body = JSON.stringify({ message: "x".repeat(256 * 1024) });
    expect((await rawPost(gw.port, "/hooks/agent", { headers: bearer, body })).status).toBe(413);
  });

  it("drops a body that has not arrived after 30 s with 408", { timeout: 45_000 }, async () => {
    const t0 = Date.now();
    const res = await rawPost(gw.port, "/hooks/agent", {
      headers: { ...bearer, "content-length": "1000" },
      stall: true,
    });
    expect(res.status).toBe(408);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(29_000);
  });

  // Last: it locks the loopback client out for 60 s.
  it("locks a loopback client out after 20 failures: 429 with Retry-After, even with the right token", async () => {
    const body = JSON.stringify({ message: "x" });
    const statuses: number[] = [];
    for (let i = 0; i < 20; i++) statuses.push((await rawPost(gw.port, "/hooks/agent", { body })).status);
    expect(statuses.every((s) => s === 401)).toBe(true);
    const locked = await rawPost(gw.port, "/hooks/agent", { headers: bearer, body });
    expect(locked.status).toBe(429);
    expect(Number(locked.retryAfter)).toBeGreaterThan(0);
    expect(Number(locked.retryAfter)).toBeLessThanOrEqual(60);
  });
});

describe("webhook settings the gateway refuses at start", () => {
  it("refuses a hooks token equal to the gateway token, hooks.path '/', and hooks.mappings (exit 78)", async () => {
    const same = await makeStateDir({ hooks: { enabled: true, token: HOOKS_TOKEN } });
    const reuse = await runCli(same, ["gateway", "--port", "0"], { env: { HOLDFAST_GATEWAY_TOKEN: HOOKS_TOKEN } });
    expect(reuse.code).toBe(78);
    expect(reuse.stderr).toContain("hooks.token equals the gateway token");
    expect(reuse.stderr).not.toContain(HOOKS_TOKEN);
    const root = await makeStateDir({ hooks: { enabled: true, token: HOOKS_TOKEN, path: "/" } });
    const rooted = await runCli(root, ["gateway", "--port", "0"]);
    expect(rooted.code).toBe(78);
    expect(rooted.stderr).toContain('hooks.path "/"');
    const mapped = await makeStateDir({ hooks: { enabled: true, token: HOOKS_TOKEN, mappings: [{ match: {} }] } });
    const mappings = await runCli(mapped, ["gateway", "--port", "0"]);
    expect(mappings.code).toBe(78);
    expect(mappings.stderr).toContain("hooks.mappings");
    expect(mappings.stderr).toContain("refused rather than ignored");
  });
});
