import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PAIRING_APPROVED_TEXT } from "../../src/access/index.js";
import { SIGNAL_ALICE, SIGNAL_BOB, SIGNAL_BOT, SIGNAL_GROUP } from "../support/contract-signal.js";
import { FakeSignal, type SignalSent } from "../support/fake-signal.js";
import {
  makeStateDir,
  mockModelConfig,
  runCli,
  spawnGateway,
  type GatewayProcess,
} from "../support/gateway-process.js";
import { startMockModelServer, type MockModelServer } from "../support/mock-model-server.js";

const codeOf = (m: SignalSent) => /Pairing code:\n```\n([A-Z2-9]{8})\n```/.exec(m.message)?.[1] as string;

describe("Signal end to end (signal-cli daemon fake): pairing, approval, groups, status", () => {
  let mock: MockModelServer;
  let fake: FakeSignal;
  let stateDir: string;
  let gw: GatewayProcess;
  const toAlice = () => fake.sent.items.filter((s) => s.recipient === SIGNAL_ALICE.number);

  beforeAll(async () => {
    mock = await startMockModelServer();
    fake = await FakeSignal.start(SIGNAL_BOT, [
      { id: SIGNAL_GROUP, name: "e2e group", members: [SIGNAL_BOT.number, SIGNAL_ALICE.number as string] },
    ]);
    const model = mockModelConfig(mock.url);
    stateDir = await makeStateDir({
      ...model,
      agents: { ...(model.agents as object), list: [{ id: "main", groupChat: { mentionPatterns: [] } }] },
      channels: {
        signal: {
          account: SIGNAL_BOT.number,
          httpUrl: fake.url,
          groupAllowFrom: [SIGNAL_ALICE.number],
          groups: { [SIGNAL_GROUP]: { requireMention: true } },
        },
      },
    });
    gw = await spawnGateway(stateDir);
    await fake.waitConnected();
  });
  afterAll(async () => {
    await gw?.stop();
    await fake?.close();
    await mock?.close();
  });

  it("answers a stranger's DM with exactly one pairing message and never processes it", async () => {
    fake.userSends({ from: SIGNAL_ALICE, text: "hello there" });
    const challenge = await fake.sent.waitFor((s) => s.recipient === SIGNAL_ALICE.number);
    expect(challenge.message.split("\n")[0]).toBe("holdfast: access not configured.");
    expect(challenge.message).toContain(SIGNAL_ALICE.number);
    expect(challenge.message).toContain(`holdfast pairing approve signal ${codeOf(challenge)}`);
    fake.userSends({ from: SIGNAL_ALICE, text: "hello again" });
    await new Promise((r) => setTimeout(r, 400));
    expect(toAlice()).toHaveLength(1);
    expect(mock.requests).toHaveLength(0);
    expect(fake.typing).toEqual([]); // no run, no typing indicator
  });

  it("admits the sender after `holdfast pairing approve signal <code>`; the reply comes back through signal-cli", async () => {
    const approve = await runCli(stateDir, ["pairing", "approve", "signal", codeOf(toAlice()[0] as SignalSent)]);
    expect(approve.code, approve.stderr).toBe(0);
    fake.userSends({ from: SIGNAL_ALICE, text: "what is up" });
    const reply = await fake.sent.waitFor((s) => s.recipient === SIGNAL_ALICE.number && s.message.startsWith("echo:"));
    expect(reply.message).toBe("echo: what is up");
    // The run showed "typing…" in the chat through JSON-RPC sendTyping before the reply.
    expect(fake.typing).toContainEqual({ recipient: SIGNAL_ALICE.number, stop: false });
    const seen = mock.requests.flatMap((r) => r.messages.map((m) => m.content)).join("\n");
    expect(seen).not.toContain("hello there");
  });

  it("ignores a group message without a mention and answers one that mentions the bot, quoting it", async () => {
    fake.userSends({ from: SIGNAL_ALICE, text: "just chatting", groupId: SIGNAL_GROUP });
    const asked = fake.userSends({
      from: SIGNAL_ALICE,
      text: " group question",
      groupId: SIGNAL_GROUP,
      mentions: [SIGNAL_BOT],
    });
    const reply = await fake.sent.waitFor((s) => s.groupId === SIGNAL_GROUP);
    expect(reply.message).toMatch(/^echo: .*group question$/);
    expect(reply.quoteTimestamp).toBe(asked.timestamp);
    expect(fake.typing).toContainEqual({ groupId: SIGNAL_GROUP, stop: false });
    await new Promise((r) => setTimeout(r, 400));
    expect(fake.sent.items.filter((s) => s.groupId === SIGNAL_GROUP)).toHaveLength(1);
    const seen = mock.requests.flatMap((r) => r.messages.map((m) => m.content)).join("\n");
    expect(seen).not.toContain("just chatting");
  });

  it("pairs a sender known only by uuid under uuid:<id>", async () => {
    fake.userSends({ from: SIGNAL_BOB, text: "hi from a hidden number" });
    const challenge = await fake.sent.waitFor((s) => s.recipient === SIGNAL_BOB.uuid);
    expect(challenge.message).toContain(`uuid:${SIGNAL_BOB.uuid}`);
    const list = await runCli(stateDir, ["pairing", "list", "signal", "--json"]);
    expect(list.stdout).toContain(`uuid:${SIGNAL_BOB.uuid}`);
    // --notify sends the approval notice through the account's signal-cli daemon.
    const approve = await runCli(stateDir, ["pairing", "approve", "signal", codeOf(challenge), "--notify"]);
    expect(approve.code, approve.stderr).toBe(0);
    expect(approve.stdout).toContain("Sent the approval notice.");
    const notice = await fake.sent.waitFor((s) => s.recipient === SIGNAL_BOB.uuid && s.message.includes("approved"));
    expect(notice.message).toBe(PAIRING_APPROVED_TEXT);
    fake.userSends({ from: SIGNAL_BOB, text: "now me" });
    expect(
      (await fake.sent.waitFor((s) => s.recipient === SIGNAL_BOB.uuid && s.message.startsWith("echo:"))).message,
    ).toBe("echo: now me");
  });

  it("reports the account as running in channels status", async () => {
    const res = await runCli(stateDir, ["channels", "status", "--json"]);
    expect(res.code, res.stderr).toBe(0);
    expect(JSON.parse(res.stdout)).toMatchObject({
      gateway: { running: true },
      accounts: [{ channel: "signal", accountId: "default", state: "running", mode: "signal-cli" }],
    });
  });
});
