import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FakeTelegram, mentionText, type SentMessage } from "../support/fake-telegram.js";
import {
  makeStateDir,
  mockModelConfig,
  runCli,
  spawnGateway,
  type GatewayProcess,
} from "../support/gateway-process.js";
import { startMockModelServer, type MockModelServer } from "../support/mock-model-server.js";

const BOT = { token: "700001:E2eTokenE2eTokenE2eTokenE2eToken00", id: 700001, username: "holdfast_e2e_bot" };
const GROUP = { id: -5001, type: "supergroup" as const, title: "team" };
const codeOf = (m: SentMessage) => /Pairing code:\n```\n([A-Z2-9]{8})\n```/.exec(m.text)?.[1] as string;

describe("Telegram end to end: pairing, approval, isolation, group mention gating", () => {
  let mock: MockModelServer;
  let fake: FakeTelegram;
  let stateDir: string;
  let gw: GatewayProcess;
  const codes = new Map<number, string>();
  const sentTo = (chat: number) => fake.sent.filter((s) => s.chatId === String(chat));
  const say = (from: number, text: string) =>
    fake.userSends(BOT.token, { from: { id: from, first_name: `U${from}` }, text });

  beforeAll(async () => {
    mock = await startMockModelServer();
    fake = await FakeTelegram.start([BOT]);
    const model = mockModelConfig(mock.url);
    stateDir = await makeStateDir({
      ...model,
      agents: {
        ...(model.agents as object),
        list: [{ id: "main", groupChat: { mentionPatterns: ["\\bholdfast\\b"] } }],
      },
      channels: {
        telegram: {
          apiRoot: fake.url,
          pollingTimeoutSec: 1,
          groupAllowFrom: ["1001"],
          groups: { "*": { requireMention: true } },
        },
      },
    });
    gw = await spawnGateway(stateDir, { env: { TELEGRAM_BOT_TOKEN: BOT.token } });
    await fake.waitForPoll(BOT.token);
  });

  afterAll(async () => {
    await gw?.stop();
    await fake?.close();
    await mock?.close();
  });

  it("answers an unknown sender's DM with exactly one pairing message and never processes it", async () => {
    await say(1001, "hello there");
    codes.set(1001, codeOf(await fake.waitForSent((s) => s.chatId === "1001")));
    await say(1001, "hello again");
    await say(1002, "me too");
    await say(1003, "and me");
    codes.set(1003, codeOf(await fake.waitForSent((s) => s.chatId === "1003")));
    codes.set(1002, codeOf(sentTo(1002)[0] as SentMessage));
    await say(1004, "fourth sender");
    expect(codes.get(1001)).toMatch(/^[ABCDEFGHJKLMNPQRSTUVWXYZ23456789]{8}$/);
    expect(sentTo(1001)[0]?.text.split("\n")[0]).toBe("holdfast: access not configured.");
    expect(sentTo(1001)[0]?.text).toContain(`holdfast pairing approve telegram ${codes.get(1001)}`);
    const list = await runCli(stateDir, ["pairing", "list", "telegram", "--json"]);
    expect(list.code).toBe(0);
    const pending = JSON.parse(list.stdout) as { channel: string; requests: { id: string; code: string }[] };
    expect(pending.channel).toBe("telegram");
    expect(pending.requests.map((r) => r.id).sort()).toEqual(["1001", "1002", "1003"]);
  });

  it("admits the sender after `holdfast pairing approve` without a restart; the 4th sender got nothing", async () => {
    const approve = await runCli(stateDir, [
      "pairing",
      "approve",
      "telegram",
      (codes.get(1001) as string).toLowerCase(),
    ]);
    expect(approve.code).toBe(0);
    expect(approve.stdout).toContain("Approved telegram sender 1001");
    await say(1001, "what is up");
    const reply = await fake.waitForSent((s) => s.chatId === "1001" && s.text.startsWith("echo:"));
    expect(reply.text).toBe("echo: what is up");
    // The run showed "typing…" in the chat (sendChatAction); the pairing challenges, which start no run, did not.
    const typing = fake.calls.filter((c) => c.method === "sendChatAction");
    expect(typing.map((c) => [String(c.params.chat_id), c.params.action])).toEqual([["1001", "typing"]]);
    expect(sentTo(1001)).toHaveLength(2);
    expect(sentTo(1004)).toHaveLength(0);
    const seen = mock.requests.flatMap((r) => r.messages.map((m) => m.content)).join("\n");
    for (const early of ["hello there", "hello again", "me too", "fourth sender"]) expect(seen).not.toContain(early);
  });

  it("refuses an unknown code with exit 1 and a clear message", async () => {
    const res = await runCli(stateDir, ["pairing", "approve", "telegram", "ZZZZ2222"]);
    expect(res.code).toBe(1);
    expect(res.stderr).toContain(
      `No pending pairing request found for code "ZZZZ2222". Run npx holdfast pairing list telegram to list pending requests.`,
    );
  });

  it("keeps two senders in separate sessions and transcripts", async () => {
    expect((await runCli(stateDir, ["pairing", "approve", "telegram", codes.get(1002) as string])).code).toBe(0);
    await say(1002, "secret of 1002");
    await fake.waitForSent((s) => s.chatId === "1002" && s.text === "echo: secret of 1002");
    await say(1001, "question of 1001");
    await fake.waitForSent((s) => s.chatId === "1001" && s.text === "echo: question of 1001");
    const list = JSON.parse((await runCli(stateDir, ["sessions", "list", "--json"])).stdout) as {
      sessions: { key: string }[];
    };
    expect(list.sessions.map((s) => s.key).sort()).toEqual([
      "agent:main:telegram:direct:1001",
      "agent:main:telegram:direct:1002",
    ]);
    const show = await runCli(stateDir, ["sessions", "show", "agent:main:telegram:direct:1001"]);
    expect(show.stdout).toContain("question of 1001");
    expect(show.stdout).not.toContain("secret of 1002");
    const req = mock.requests.find((r) => r.messages.some((m) => m.content.includes("\nquestion of 1001\n")));
    expect(req?.messages.map((m) => m.content).join("\n")).not.toContain("secret of 1002");
  });

  it("ignores a group message without a mention and answers one with a mention, as a reply", async () => {
    await fake.userSends(BOT.token, { from: { id: 1001 }, chat: GROUP, text: "just chatting here" });
    const m = mentionText(BOT.username, "group question");
    const { update } = await fake.userSends(BOT.token, { from: { id: 1001 }, chat: GROUP, ...m });
    await fake.userSends(BOT.token, { from: { id: 1001 }, chat: GROUP, text: "HoldFast, pattern question" });
    await fake.waitForSent((s) => s.chatId === String(GROUP.id) && s.text.includes("pattern question"));
    const inGroup = sentTo(GROUP.id);
    expect(inGroup.map((s) => s.text)).toEqual([
      `echo: @${BOT.username} group question`,
      "echo: HoldFast, pattern question",
    ]);
    expect(inGroup[0]?.replyTo).toBe(update.message.message_id);
    expect(mock.requests.some((r) => r.messages.some((x) => x.content.includes("just chatting")))).toBe(false);
  });

  it("sees a revocation at once, and --notify tells an approved sender through the Bot API", async () => {
    const revoke = await runCli(stateDir, ["pairing", "revoke", "telegram", "1001"]);
    expect(revoke.code).toBe(0);
    const before = fake.sent.length;
    await say(1001, "am I still in?");
    const again = await fake.waitForSent((s) => fake.sent.indexOf(s) >= before && s.chatId === "1001");
    expect(again.text).toContain("Pairing code:");
    expect(codeOf(again)).not.toBe(codes.get(1001));
    const notify = await runCli(stateDir, ["pairing", "approve", "telegram", codes.get(1003) as string, "--notify"], {
      env: { TELEGRAM_BOT_TOKEN: BOT.token },
    });
    expect(notify.code).toBe(0);
    expect((await fake.waitForSent((s) => s.chatId === "1003" && s.text.startsWith("✅"))).text).toBe(
      "✅ holdfast access approved. Send a message to start chatting.",
    );
    codes.set(1001, codeOf(again));
  });

  it("lists and rejects pending requests from the CLI", async () => {
    const list = await runCli(stateDir, ["pairing", "list"]);
    expect(list.stdout).toMatch(
      new RegExp(`^telegram  ${codes.get(1001)}  sender 1001 \\(U1001\\)  account default  expires in \\d+ min$`, "m"),
    );
    expect((await runCli(stateDir, ["pairing", "reject", "telegram", codes.get(1001) as string])).stdout).toContain(
      "Rejected the telegram pairing request of sender 1001",
    );
    const { readFile } = await import("node:fs/promises");
    expect(JSON.parse(await readFile(`${stateDir}/credentials/telegram-pairing.json`, "utf8"))).toEqual({
      version: 1,
      requests: [],
    });
    expect(JSON.parse(await readFile(`${stateDir}/credentials/telegram-allowFrom.json`, "utf8"))).toEqual({
      version: 1,
      allowFrom: ["1002", "1003"],
    });
  });

  it("shuts down cleanly and keeps the bot token out of logs and output", async () => {
    expect(await gw.stop("SIGTERM")).toBe(0);
    const { readFile } = await import("node:fs/promises");
    const log = await readFile(`${stateDir}/logs/holdfast.log`, "utf8");
    expect(log).toContain("telegram bot connected");
    expect(log + gw.stdout.join("") + gw.stderr.join("")).not.toContain(BOT.token.split(":")[1]);
  });
});
