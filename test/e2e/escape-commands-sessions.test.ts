import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GatewayClient } from "../../src/client/index.js";
import { nextApproval, sendAndWait } from "../support/chat.js";
import { FakeTelegram } from "../support/fake-telegram.js";
import { makeStateDir, mockModelConfig, spawnGateway, type GatewayProcess } from "../support/gateway-process.js";
import { startMockModelServer, type MockModelServer } from "../support/mock-model-server.js";

const BOT = { token: "700010:EscapeTableBotTokenEscapeTable0000", id: 700010, username: "holdfast_escape_bot" };
const ALICE = 3101;
const BOB = 3102;

/**
 * Escape table, scope and session findings (each failed on the gateway before they were closed):
 * `operator.write` resolved exec approvals through `/approve <id> always` in `chat.send`, and with
 * `sandbox.mode: "off"` one Telegram peer read and wrote another peer's session with the sessions tools.
 */
describe("escape table: chat command scopes and cross-peer sessions (real gateway, fake Telegram, mock model)", () => {
  let mock: MockModelServer;
  let fake: FakeTelegram;
  let gw: GatewayProcess;
  let writer: GatewayClient;
  let approver: GatewayClient;

  beforeAll(async () => {
    mock = await startMockModelServer();
    fake = await FakeTelegram.start([BOT]);
    const model = mockModelConfig(mock.url);
    const stateDir = await makeStateDir({
      ...model,
      agents: { defaults: { ...(model.agents as { defaults: object }).defaults, sandbox: { mode: "off" } } },
      tools: { exec: { approvalTimeoutMs: 60_000 }, elevated: { enabled: true, allowFrom: { webchat: ["operator"] } } },
      channels: {
        telegram: {
          apiRoot: fake.url,
          pollingTimeoutSec: 1,
          dmPolicy: "allowlist",
          allowFrom: [String(ALICE), String(BOB)],
        },
      },
    });
    gw = await spawnGateway(stateDir, { env: { TELEGRAM_BOT_TOKEN: BOT.token } });
    await fake.waitForPoll(BOT.token);
    const token = await gw.token();
    writer = await GatewayClient.connect({ url: gw.url, token, scopes: ["operator.read", "operator.write"] });
    approver = await GatewayClient.connect({ url: gw.url, token, scopes: ["operator.read", "operator.approvals"] });
  });

  afterAll(async () => {
    writer?.close();
    approver?.close();
    await gw?.stop();
    await fake?.close();
    await mock?.close();
  });

  it("refuses /approve <id> always from an operator.write client: the approval needs operator.approvals", async () => {
    const requested = nextApproval(approver);
    const run = sendAndWait(writer, "main", "exec echo needs-approval", 30_000);
    const { id } = await requested;
    const refused = await sendAndWait(writer, "main", `/approve ${id} always`);
    expect(refused.text).toContain("/approve needs the operator.approvals scope");
    expect(refused.text).toContain("exec.approval.resolve");
    const pending = (await approver.request("exec.approval.list", {})) as { approvals: { id: string }[] };
    expect(pending.approvals.map((a) => a.id)).toContain(id);
    expect((await sendAndWait(writer, "main", "/approve")).text).toContain("operator.approvals");
    await approver.request("exec.approval.resolve", { id, decision: "deny" });
    expect((await run).text).toContain("exec was not approved");
  });

  it("refuses /elevated on without operator.admin, while /status (operator.read) still answers", async () => {
    const elevated = await sendAndWait(writer, "main", "/elevated on");
    expect(elevated.text).toContain("/elevated needs the operator.admin scope");
    expect((await sendAndWait(writer, "main", "/elevated")).text).toContain("Elevated mode is off");
    expect((await sendAndWait(writer, "main", "/status")).text).toContain("Session agent:main:main");
  });

  it("keeps one Telegram peer out of another peer's session with sandbox mode off (default visibility)", async () => {
    await fake.userSends(BOT.token, { from: { id: ALICE, first_name: "Alice" }, text: "alice-private-note-4417" });
    await fake.waitForSent((s) => s.chatId === String(ALICE) && s.text.includes("alice-private-note-4417"));
    const aliceKey = `agent:main:telegram:direct:${ALICE}`;
    await fake.userSends(BOT.token, {
      from: { id: BOB, first_name: "Bob" },
      text: `tool sessions_history {"sessionKey":"${aliceKey}"}`,
    });
    const read = await fake.waitForSent((s) => s.chatId === String(BOB) && s.text.startsWith("Tool sessions_history"));
    expect(read.text).toContain("not visible from this session");
    expect(read.text).not.toContain("alice-private-note-4417");
    // Bob is not an owner: his turn is tainted, so sessions_send asks first, naming his message;
    // approved, the visibility rule still refuses it.
    const requested = nextApproval(approver);
    await fake.userSends(BOT.token, {
      from: { id: BOB, first_name: "Bob" },
      text: `tool sessions_send {"sessionKey":"${aliceKey}","message":"injected-by-bob","waitSeconds":5}`,
    });
    const asked = await requested;
    expect(asked).toMatchObject({ tool: "sessions_send", taint: { kinds: ["dm"] } });
    expect(asked.taint?.summary).toBe(`this turn read a message from telegram:${BOB}`);
    await approver.request("exec.approval.resolve", { id: asked.id, decision: "allow-once" });
    const sent = await fake.waitForSent((s) => s.chatId === String(BOB) && s.text.startsWith("Tool sessions_send"));
    expect(sent.text).toContain("not visible from this session");
    await fake.userSends(BOT.token, { from: { id: BOB, first_name: "Bob" }, text: 'tool sessions_list {"limit":50}' });
    const list = await fake.waitForSent((s) => s.chatId === String(BOB) && s.text.startsWith("Tool sessions_list"));
    expect(list.text).not.toContain(aliceKey);
    expect(
      mock.requests.some((r) => r.messages.some((m) => m.role === "user" && m.content === "injected-by-bob")),
    ).toBe(false);
  });
});
