import { mkdtemp } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { expect, it } from "vitest";
import { captureLogger } from "../../../test/support/capture-log.js";
import { recordingClock } from "../../../test/support/fake-clock.js";
import { FakeDiscord } from "../../../test/support/fake-discord.js";
import type { InboundMessage } from "../adapter.js";
import { DiscordAdapter } from "./adapter.js";

it("smoke", async () => {
  const bot = { id: "100000000000000001", username: "holdfast", token: "Zm9vYmFyYmF6.abcdef.ghijklmnopqrstuvwxyz0123" };
  const ada = { id: "200000000000000001", username: "ada", globalName: "Ada" };
  const fake = await FakeDiscord.start({
    bot,
    users: [ada],
    guilds: [{ id: "300000000000000001", name: "g", channels: [{ id: "400000000000000001", name: "general" }] }],
    heartbeatMs: 500,
  });
  const cap = captureLogger();
  const clock = recordingClock();
  const a = new DiscordAdapter(
    {
      accountId: "default",
      configPath: "channels.discord",
      access: {},
      token: bot.token,
      apiRoot: fake.apiRoot,
      intents: ["Guilds", "GuildMessages", "DirectMessages", "MessageContent"],
      textLimit: 2000,
    },
    {
      log: cap.log,
      clock: { now: () => Date.now(), sleep: clock.sleep },
      stateDir: await mkdtemp(path.join(os.tmpdir(), "hf-dc-")),
    },
  );
  const got: InboundMessage[] = [];
  await a.start(async (m) => void got.push(m));
  await fake.waitConnected();
  for (let i = 0; i < 100 && a.status().state !== "running"; i++) await new Promise((r) => setTimeout(r, 50));
  fake.userSends({ author: ada, content: "hello" });
  fake.userSends({ author: ada, channelId: "400000000000000001", content: "hi <@100000000000000001>" });
  for (let i = 0; i < 100 && got.length < 2; i++) await new Promise((r) => setTimeout(r, 50));
  console.log(JSON.stringify(got), a.status());
  const ids = await a.send({ chatId: got[1]!.chatId, text: "hi back", replyTo: got[1]!.messageId });
  console.log(ids, fake.sent.items);
  fake.drop(2);
  fake.userSends({ author: ada, content: "while down" });
  for (let i = 0; i < 200 && got.length < 3; i++) await new Promise((r) => setTimeout(r, 50));
  console.log(
    "after drop",
    got.length,
    got[2]?.text,
    clock.sleeps,
    fake.resumes,
    fake.identifies.length,
    fake.heartbeats.length,
    a.status(),
  );
  console.log(cap.lines.map((l) => l.msg).join("\n"));
  await a.stop();
  await fake.close();
  expect(got.length).toBe(3);
}, 30000);
