import { createServer, type Server } from "node:http";
import { getRequestListener } from "@hono/node-server";
import { Hono } from "hono";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { captureLogger, instantClock } from "../../../test/support/capture-log.js";
import {
  BB_ALICE,
  BB_BOB,
  BB_GROUP,
  BB_PASSWORD,
  BB_SELF,
  BB_WEBHOOK,
} from "../../../test/support/contract-bluebubbles.js";
import { FakeBlueBubbles } from "../../../test/support/fake-bluebubbles.js";
import { closeServer, listenLoopback } from "../../../test/support/fake-platform.js";
import { channelState, tempStateDir } from "../../../test/support/temp-state.js";
import { answerWorking, eventuallyTrue } from "../../../test/support/typing-replies.js";
import type { InboundMessage } from "../adapter.js";
import { BlueBubblesAdapter } from "./adapter.js";

describe("BlueBubblesAdapter typing indicator against the fake server", () => {
  let fake: FakeBlueBubbles;
  let hooks: Server;
  let adapter: BlueBubblesAdapter;
  const got: InboundMessage[] = [];

  beforeEach(async () => {
    got.length = 0;
    fake = await FakeBlueBubbles.start({ password: BB_PASSWORD, self: BB_SELF, users: [BB_ALICE, BB_BOB] });
    adapter = new BlueBubblesAdapter(
      {
        accountId: "default",
        configPath: "channels.bluebubbles",
        access: {},
        serverUrl: fake.url,
        password: BB_PASSWORD,
        webhook: BB_WEBHOOK,
        textLimit: 4000,
      },
      {
        log: captureLogger().log,
        clock: instantClock,
        queues: channelState(tempStateDir("hf-bb-").stateDir, "bluebubbles").queues,
      },
      { pingMs: 100 },
    );
    const app = new Hono();
    adapter.publicRoutes(app);
    const listener = getRequestListener((req) => app.fetch(req));
    hooks = createServer((req, res) => void listener(req, res));
    fake.webhookUrl = `${await listenLoopback(hooks)}${BB_WEBHOOK.path}`;
    await adapter.start(async (m) => void got.push(m));
    await fake.waitConnected();
    await eventuallyTrue(() => adapter.status().state === "running", "running");
  });
  afterEach(async () => {
    await adapter.stop();
    await closeServer(hooks);
    await fake.close();
  });

  it("shows the typing bubble in a DM and in a group while a run works, then replies", async () => {
    await fake.userSends({ from: BB_ALICE, text: "hello" });
    await fake.userSends({ from: BB_BOB, text: "hi all", chatGuid: BB_GROUP, mentions: [BB_SELF] });
    await eventuallyTrue(() => got.length === 2, "both messages");
    for (const m of got) await answerWorking(adapter, m);
    await eventuallyTrue(() => fake.typing.length === 2, "two typing indicators");
    expect(fake.typing).toEqual([fake.dmOf(BB_ALICE), BB_GROUP]);
    expect(fake.unauthorized).toBe(0);
    expect(fake.sent.items.map((s) => [s.chatGuid, s.message])).toEqual([
      [fake.dmOf(BB_ALICE), "echo: hello"],
      [BB_GROUP, "echo: hi all"],
    ]);
  });

  it("still replies when the server cannot show typing (no Private API helper), logging it at debug", async () => {
    fake.privateApi = false;
    await fake.userSends({ from: BB_ALICE, text: "hello" });
    await eventuallyTrue(() => got.length === 1, "the message");
    const answer = await answerWorking(adapter, got[0] as InboundMessage);
    expect(fake.sent.items.map((s) => s.message)).toEqual(["echo: hello"]);
    await eventuallyTrue(() => answer.typingFailures().length === 1, "the typing failure logged");
    expect(answer.typingFailures()[0]).toMatchObject({
      level: 20,
      code: "HF_CHANNEL_REFUSED",
      msg: "typing indicator not sent: bluebubbles typing failed: busy or failing",
    });
    expect(fake.typing).toEqual([]);
  });
});
