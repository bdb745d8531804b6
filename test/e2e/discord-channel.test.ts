import { readFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DISCORD_BOT, DISCORD_GUILD } from "../support/contract-discord.js";
import { FakeDiscord, type DiscordSent } from "../support/fake-discord.js";
import {
  makeStateDir,
  mockModelConfig,
  runCli,
  spawnGateway,
  type GatewayProcess,
} from "../support/gateway-process.js";
import { startMockModelServer, type MockModelServer } from "../support/mock-model-server.js";

const ALICE = { id: "1200000000000000011", username: "alice", globalName: "Alice" };
const BOB = { id: "1200000000000000012", username: "bob", globalName: "Bob" };
const CAROL = { id: "1200000000000000013", username: "carol", globalName: "Carol" };
const [GENERAL, RANDOM] = DISCORD_GUILD.channels.map((c) => c.id) as [string, string];
const codeOf = (m: DiscordSent) => /Pairing code:\n```\n([A-Z2-9]{8})\n```/.exec(m.content)?.[1] as string;
const env = { DISCORD_BOT_TOKEN: DISCORD_BOT.token };

describe("Discord end to end: pairing, approval, guild allowlist and mentions, isolation, notify", () => {
  let mock: MockModelServer;
  let fake: FakeDiscord;
  let stateDir: string;
  let gw: GatewayProcess;
  const dm = (u: { id: string }) => fake.dmOf(u.id);
  const sentTo = (channelId: string) => fake.sent.items.filter((s) => s.channelId === channelId);
  const quiet = () => new Promise((r) => setTimeout(r, 500));
  const modelSaw = () => mock.requests.flatMap((r) => r.messages.map((m) => m.content)).join("\n");

  beforeAll(async () => {
    mock = await startMockModelServer();
    fake = await FakeDiscord.start({ bot: DISCORD_BOT, users: [ALICE, BOB, CAROL], guilds: [DISCORD_GUILD] });
    const model = mockModelConfig(mock.url);
    stateDir = await makeStateDir({
      ...model,
      agents: { ...(model.agents as object), list: [{ id: "main", groupChat: { mentionPatterns: [] } }] },
      channels: {
        discord: {
          apiRoot: fake.apiRoot,
          groupAllowFrom: [ALICE.id, BOB.id],
          guilds: { [DISCORD_GUILD.id]: { channels: { [GENERAL]: { requireMention: true } } } },
        },
      },
    });
    gw = await spawnGateway(stateDir, { env });
    await fake.waitConnected();
  });
  afterAll(async () => {
    await gw?.stop();
    await fake?.close();
    await mock?.close();
  });

  it("answers a stranger's DM with exactly one pairing message and never processes it", async () => {
    fake.userSends({ author: ALICE, content: "hello there" });
    const challenge = await fake.sent.waitFor((s) => s.channelId === dm(ALICE));
    expect(challenge.content.split("\n")[0]).toBe("holdfast: access not configured.");
    expect(challenge.content).toContain(`Your Discord user id: ${ALICE.id}`);
    fake.userSends({ author: ALICE, content: "hello again" });
    await quiet();
    expect(sentTo(dm(ALICE))).toHaveLength(1);
    expect(mock.requests).toHaveLength(0);
    expect(fake.typing).toEqual([]); // no run, no typing indicator
  });

  it("admits the sender after `holdfast pairing approve discord <code>`; the reply comes back through Discord", async () => {
    const approve = await runCli(stateDir, [
      "pairing",
      "approve",
      "discord",
      codeOf(sentTo(dm(ALICE))[0] as DiscordSent),
    ]);
    expect(approve.code, approve.stderr).toBe(0);
    fake.userSends({ author: ALICE, content: "what is up" });
    expect((await fake.sent.waitFor((s) => s.channelId === dm(ALICE) && s.content.startsWith("echo:"))).content).toBe(
      "echo: what is up",
    );
    // The run showed "typing…" in the DM (POST /channels/{id}/typing) before the reply.
    expect(fake.typing).toContain(dm(ALICE));
    expect(modelSaw()).not.toContain("hello there");
  });

  it("in the guild: ignores messages without a mention, role mentions and unlisted channels; answers <@bot> as a reply", async () => {
    fake.userSends({ author: ALICE, channelId: GENERAL, content: "just chatting" });
    fake.userSends({ author: ALICE, channelId: GENERAL, content: `<@&${DISCORD_GUILD.botRoleId}> role ping` });
    fake.userSends({ author: ALICE, channelId: RANDOM, content: `<@${DISCORD_BOT.id}> in an unlisted channel` });
    const asked = fake.userSends({ author: ALICE, channelId: GENERAL, content: `<@${DISCORD_BOT.id}> guild question` });
    const reply = await fake.sent.waitFor((s) => s.channelId === GENERAL);
    expect(reply).toMatchObject({ content: `echo: <@${DISCORD_BOT.id}> guild question`, replyTo: asked.id });
    expect(fake.typing).toContain(GENERAL);
    await quiet();
    expect(sentTo(GENERAL)).toHaveLength(1);
    expect(sentTo(RANDOM)).toEqual([]);
    for (const ignored of ["just chatting", "role ping", "unlisted channel"]) expect(modelSaw()).not.toContain(ignored);
  });

  it("a pairing approval grants DMs only, never the guild", async () => {
    fake.userSends({ author: CAROL, content: "hi" });
    const code = codeOf(await fake.sent.waitFor((s) => s.channelId === dm(CAROL)));
    expect((await runCli(stateDir, ["pairing", "approve", "discord", code, "--notify"], { env })).code).toBe(0);
    expect((await fake.sent.waitFor((s) => s.channelId === dm(CAROL) && s.content.startsWith("✅"))).content).toBe(
      "✅ holdfast access approved. Send a message to start chatting.",
    );
    fake.userSends({ author: CAROL, channelId: GENERAL, content: `<@${DISCORD_BOT.id}> let me in` });
    fake.userSends({ author: CAROL, content: "dm works" });
    await fake.sent.waitFor((s) => s.content === "echo: dm works");
    await quiet();
    expect(modelSaw()).not.toContain("let me in");
  });

  it("keeps two senders in separate sessions and transcripts", async () => {
    fake.userSends({ author: BOB, content: "hi, I am bob" });
    const code = codeOf(await fake.sent.waitFor((s) => s.channelId === dm(BOB)));
    expect((await runCli(stateDir, ["pairing", "approve", "discord", code])).code).toBe(0);
    fake.userSends({ author: BOB, content: "secret of bob" });
    await fake.sent.waitFor((s) => s.content === "echo: secret of bob");
    fake.userSends({ author: ALICE, content: "question of alice" });
    await fake.sent.waitFor((s) => s.content === "echo: question of alice");
    const show = await runCli(stateDir, ["sessions", "show", `agent:main:discord:direct:${ALICE.id}`]);
    expect(show.stdout).toContain("question of alice");
    expect(show.stdout).not.toContain("secret of bob");
    const req = mock.requests.find((r) => r.messages.some((m) => m.content.includes("question of alice")));
    expect(req?.messages.map((m) => m.content).join("\n")).not.toContain("secret of bob");
  });

  it("reports the account in channels status, and keeps the token out of logs and output", async () => {
    const res = await runCli(stateDir, ["channels", "status"]);
    expect(res.code, res.stderr).toBe(0);
    expect(res.stdout).toMatch(/^discord\/default: running \(gateway, @holdfast\)$/m);
    expect(await gw.stop("SIGTERM")).toBe(0);
    const after = JSON.parse((await runCli(stateDir, ["channels", "status", "--json"])).stdout);
    expect(after.accounts[0]).toMatchObject({ channel: "discord", state: "gateway not running" });
    const log = await readFile(path.join(stateDir, "logs", "holdfast.log"), "utf8");
    expect(log).toContain("discord bot connected");
    expect(log + gw.stdout.join("") + gw.stderr.join("") + res.stdout).not.toContain(DISCORD_BOT.token);
  });
});
