import { mkdtemp } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { expect, it } from "vitest";
import { captureLogger, instantClock } from "../../../test/support/capture-log.js";
import { FakeSlack } from "../../../test/support/fake-slack.js";
import type { InboundMessage } from "../adapter.js";
import { SlackAdapter } from "./adapter.js";

it("smoke", async () => {
  const app = {
    botToken: "xoxb-1-test",
    appToken: "xapp-1-test",
    botUserId: "UBOT0001",
    botId: "BBOT0001",
    name: "holdfast",
  };
  const fake = await FakeSlack.start(app, [{ id: "UADA0001", name: "ada", displayName: "Ada" }]);
  const cap = captureLogger();
  const a = new SlackAdapter(
    {
      accountId: "default",
      configPath: "channels.slack",
      access: {},
      botToken: app.botToken,
      appToken: app.appToken,
      mode: "socket",
      apiUrl: fake.apiUrl,
      textLimit: 4000,
    },
    { log: cap.log, clock: instantClock, stateDir: await mkdtemp(path.join(os.tmpdir(), "hf-sl-")) },
  );
  const got: InboundMessage[] = [];
  await a.start(async (m) => void got.push(m));
  await fake.waitForSocket();
  await fake.userSends({ user: "UADA0001", text: "hello <@UBOT0001>" });
  for (let i = 0; i < 100 && got.length < 1; i++) await new Promise((r) => setTimeout(r, 50));
  console.log(JSON.stringify(got), a.status(), cap.lines.slice(-5));
  const ids = await a.send({ chatId: "DADA0001", text: "hi back" });
  console.log(ids, fake.sent.items);
  await new Promise((r) => setTimeout(r, 300));
  console.log("got after own", got.length, fake.acks.length);
  await a.stop();
  await fake.close();
  expect(got.length).toBe(1);
});
