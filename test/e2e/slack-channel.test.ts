import { readFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SLACK_APP } from "../support/contract-slack.js";
import { FakeSlack, type SlackSent } from "../support/fake-slack.js";
import {
  makeStateDir,
  mockModelConfig,
  runCli,
  spawnGateway,
  type GatewayProcess,
} from "../support/gateway-process.js";
import { startMockModelServer, type MockModelServer } from "../support/mock-model-server.js";

const ALICE = { id: "U0ALICE01", name: "alice", displayName: "Alice" };
const BOB = { id: "U0BOB0001", name: "bob", displayName: "Bob" };
const GROUP = "C0GROUP01";
const UNLISTED = "C0OTHER01";
const SIGNING_SECRET = "e2e-slack-signing-secret-0123456789";
const codeOf = (m: SlackSent) => /Pairing code:\n```\n([A-Z2-9]{8})\n```/.exec(m.text)?.[1] as string;
const env = { SLACK_BOT_TOKEN: SLACK_APP.botToken, SLACK_APP_TOKEN: SLACK_APP.appToken };

async function gatewayWith(
  fake: FakeSlack,
  mock: MockModelServer,
  slack: Record<string, unknown>,
  extraEnv: Record<string, string> = {},
) {
  const model = mockModelConfig(mock.url);
  const stateDir = await makeStateDir({
    ...model,
    agents: { ...(model.agents as object), list: [{ id: "main", groupChat: { mentionPatterns: [] } }] },
    channels: { slack: { slackApiUrl: fake.apiUrl, ...slack } },
  });
  return { stateDir, gw: await spawnGateway(stateDir, { env: { ...env, ...extraEnv } }) };
}

describe("Slack end to end (Socket Mode): pairing, approval, groups, isolation, status, logout", () => {
  let mock: MockModelServer;
  let fake: FakeSlack;
  let stateDir: string;
  let gw: GatewayProcess;
  const dm = (u: { id: string }) => fake.dmOf(u.id);
  const sentTo = (channel: string) => fake.sent.items.filter((s) => s.channel === channel);

  beforeAll(async () => {
    mock = await startMockModelServer();
    fake = await FakeSlack.start(SLACK_APP, [ALICE, BOB]);
    ({ stateDir, gw } = await gatewayWith(fake, mock, {
      groupAllowFrom: [ALICE.id, BOB.id],
      channels: { [GROUP]: { requireMention: true } },
    }));
    await fake.waitForSocket();
  });
  afterAll(async () => {
    await gw?.stop();
    await fake?.close();
    await mock?.close();
  });

  it("answers a stranger's DM with exactly one pairing message and never processes it", async () => {
    await fake.userSends({ user: ALICE.id, text: "hello there" });
    const challenge = await fake.sent.waitFor((s) => s.channel === dm(ALICE));
    expect(challenge.text.split("\n")[0]).toBe("holdfast: access not configured.");
    expect(challenge.text).toContain(`Your Slack user id: ${ALICE.id}`);
    expect(challenge.text).toContain(`holdfast pairing approve slack ${codeOf(challenge)}`);
    await fake.userSends({ user: ALICE.id, text: "hello again" });
    await new Promise((r) => setTimeout(r, 400));
    expect(sentTo(dm(ALICE))).toHaveLength(1);
    expect(mock.requests).toHaveLength(0);
  });

  it("admits the sender after `holdfast pairing approve slack <code>`; the reply comes back through Slack", async () => {
    const code = codeOf(sentTo(dm(ALICE))[0] as SlackSent);
    const approve = await runCli(stateDir, ["pairing", "approve", "slack", code]);
    expect(approve.code, approve.stderr).toBe(0);
    expect(approve.stdout).toContain(`Approved slack sender ${ALICE.id} (Alice)`);
    await fake.userSends({ user: ALICE.id, text: "what is up" });
    expect((await fake.sent.waitFor((s) => s.channel === dm(ALICE) && s.text.startsWith("echo:"))).text).toBe(
      "echo: what is up",
    );
    const seen = mock.requests.flatMap((r) => r.messages.map((m) => m.content)).join("\n");
    expect(seen).not.toContain("hello there");
  });

  it("ignores channel messages without a mention and answers a native mention in its thread", async () => {
    await fake.userSends({ user: ALICE.id, channel: GROUP, text: "just chatting" });
    const { event } = await fake.userSends({
      user: ALICE.id,
      channel: GROUP,
      text: `<@${SLACK_APP.botUserId}> group question`,
    });
    const reply = await fake.sent.waitFor((s) => s.channel === GROUP);
    expect(reply).toMatchObject({ text: `echo: <@${SLACK_APP.botUserId}> group question`, threadTs: event.ts });
    await fake.userSends({ user: ALICE.id, channel: UNLISTED, text: `<@${SLACK_APP.botUserId}> anyone here?` });
    await new Promise((r) => setTimeout(r, 400));
    expect(sentTo(UNLISTED)).toEqual([]);
    const seen = mock.requests.flatMap((r) => r.messages.map((m) => m.content)).join("\n");
    expect(seen).not.toContain("just chatting");
    expect(seen).not.toContain("anyone here");
  });

  it("keeps two senders in separate sessions and transcripts", async () => {
    await fake.userSends({ user: BOB.id, text: "hi, I am bob" });
    const bobCode = codeOf(await fake.sent.waitFor((s) => s.channel === dm(BOB)));
    expect((await runCli(stateDir, ["pairing", "approve", "slack", bobCode])).code).toBe(0);
    await fake.userSends({ user: BOB.id, text: "secret of bob" });
    await fake.sent.waitFor((s) => s.text === "echo: secret of bob");
    await fake.userSends({ user: ALICE.id, text: "question of alice" });
    await fake.sent.waitFor((s) => s.text === "echo: question of alice");
    const list = JSON.parse((await runCli(stateDir, ["sessions", "list", "--json"])).stdout) as {
      sessions: { key: string }[];
    };
    expect(list.sessions.map((s) => s.key)).toEqual(
      expect.arrayContaining(["agent:main:slack:direct:u0alice01", "agent:main:slack:direct:u0bob0001"]),
    );
    const show = await runCli(stateDir, ["sessions", "show", "agent:main:slack:direct:u0alice01"]);
    expect(show.stdout).toContain("question of alice");
    expect(show.stdout).not.toContain("secret of bob");
  });

  it("reports the account as running in channels status and status --all, without tokens", async () => {
    const res = await runCli(stateDir, ["channels", "status", "--json"]);
    expect(res.code, res.stderr).toBe(0);
    expect(JSON.parse(res.stdout)).toMatchObject({
      gateway: { running: true },
      accounts: [{ channel: "slack", accountId: "default", state: "running", mode: "socket", botUsername: "holdfast" }],
    });
    const all = await runCli(stateDir, ["status", "--all", "--json"]);
    expect(JSON.parse(all.stdout).channels.slack).toMatchObject({ state: "running", running: true });
    for (const out of [res.stdout, all.stdout]) for (const t of Object.values(env)) expect(out).not.toContain(t);
  });

  it("channels logout stops the running account; status then says so and never claims it runs", async () => {
    const res = await runCli(stateDir, ["channels", "logout", "--channel", "slack"]);
    expect(res.code, res.stderr).toBe(0);
    expect(res.stdout).toContain("stopped slack/default in the running gateway");
    const status = JSON.parse((await runCli(stateDir, ["channels", "status", "--json"])).stdout);
    expect(status.accounts[0]).toMatchObject({
      channel: "slack",
      state: "stopped",
      detail: "logged out (npx holdfast channels logout)",
    });
    expect(JSON.parse((await runCli(stateDir, ["status", "--all", "--json"])).stdout).channels.slack.running).toBe(
      false,
    );
    const before = fake.sent.items.length;
    await fake.userSends({ user: ALICE.id, text: "are you there?" });
    await new Promise((r) => setTimeout(r, 400));
    expect(fake.sent.items.length).toBe(before);
  });

  it("shuts down cleanly and keeps the tokens out of the log and the output", async () => {
    expect(await gw.stop("SIGTERM")).toBe(0);
    const log = await readFile(path.join(stateDir, "logs", "holdfast.log"), "utf8");
    expect(log).toContain("slack app connected");
    for (const t of Object.values(env)) expect(log + gw.stdout.join("") + gw.stderr.join("")).not.toContain(t);
  });
});

describe("Slack end to end (HTTP Events API on the gateway's port)", () => {
  let mock: MockModelServer;
  let fake: FakeSlack;
  let stateDir: string;
  let gw: GatewayProcess;
  const eventsUrl = () => `http://127.0.0.1:${gw.port}/slack/events`;

  beforeAll(async () => {
    mock = await startMockModelServer();
    fake = await FakeSlack.start(SLACK_APP, [ALICE]);
    ({ stateDir, gw } = await gatewayWith(
      fake,
      mock,
      {
        mode: "http",
        signingSecret: "${SLACK_SIGNING_SECRET}",
        dmPolicy: "allowlist",
        allowFrom: [ALICE.id],
      },
      { SLACK_SIGNING_SECRET: SIGNING_SECRET },
    ));
    fake.httpEndpoint = { url: eventsUrl(), signingSecret: SIGNING_SECRET };
  }, 30_000);
  afterAll(async () => {
    await gw?.stop();
    await fake?.close();
    await mock?.close();
  });

  it("answers url_verification, processes signed events, and refuses bad or stale signatures with 401", async () => {
    const verify = JSON.stringify({ type: "url_verification", challenge: "challenge-token-123" });
    let res = await fake.post(eventsUrl(), verify, {});
    for (let i = 0; i < 50 && res.status === 503; i++) {
      await new Promise((r) => setTimeout(r, 100));
      res = await fake.post(eventsUrl(), verify, {});
    }
    expect(res).toEqual({ status: 200, text: JSON.stringify({ challenge: "challenge-token-123" }) });
    const { status } = await fake.userSends({ user: ALICE.id, text: "signed hello" });
    expect(status).toBe(200);
    expect((await fake.sent.waitFor((s) => s.text.startsWith("echo:"))).text).toBe("echo: signed hello");
    const body = JSON.stringify({
      type: "event_callback",
      event_id: "EvFORGED",
      event: {
        type: "message",
        channel: fake.dmOf(ALICE.id),
        channel_type: "im",
        user: ALICE.id,
        text: "forged text",
        ts: "1.000009",
      },
    });
    expect((await fake.post(eventsUrl(), body, { signature: "v0=deadbeef" })).status).toBe(401);
    expect((await fake.post(eventsUrl(), body, { secret: "not-the-secret" })).status).toBe(401);
    expect((await fake.post(eventsUrl(), body, { timestampSec: Math.floor(Date.now() / 1000) - 600 })).status).toBe(
      401,
    );
    await new Promise((r) => setTimeout(r, 400));
    expect(mock.requests.flatMap((r) => r.messages.map((m) => m.content)).join("\n")).not.toContain("forged text");
    await gw.stop();
    const log = await readFile(path.join(stateDir, "logs", "holdfast.log"), "utf8");
    expect(log).not.toContain("forged text");
    expect(log).not.toContain(SIGNING_SECRET);
  });
});
