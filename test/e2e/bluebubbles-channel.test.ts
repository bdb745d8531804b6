import { readFile, stat } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PAIRING_APPROVED_TEXT } from "../../src/access/index.js";
import { BB_ALICE, BB_BOB, BB_GROUP, BB_PASSWORD, BB_SELF } from "../support/contract-bluebubbles.js";
import { FakeBlueBubbles, type BlueBubblesSent } from "../support/fake-bluebubbles.js";
import {
  makeStateDir,
  mockModelConfig,
  runCli,
  spawnGateway,
  type GatewayProcess,
} from "../support/gateway-process.js";
import { startMockModelServer, type MockModelServer } from "../support/mock-model-server.js";

const codeOf = (m: BlueBubblesSent) => /Pairing code:\n```\n([A-Z2-9]{8})\n```/.exec(m.message)?.[1] as string;

describe("BlueBubbles end to end (fake server posting webhooks to the gateway): pairing, groups, secrets", () => {
  let mock: MockModelServer;
  let fake: FakeBlueBubbles;
  let stateDir: string;
  let gw: GatewayProcess;
  let hookPath: string;
  const dm = (u: { address: string }) => fake.dmOf({ address: u.address, name: "" });
  const hookFile = () => path.join(stateDir, "credentials", "bluebubbles", "default", "webhook-path");
  const sentTo = (chat: string) => fake.sent.items.filter((s) => s.chatGuid === chat);

  beforeAll(async () => {
    mock = await startMockModelServer();
    fake = await FakeBlueBubbles.start({ password: BB_PASSWORD, self: BB_SELF, users: [BB_ALICE, BB_BOB] });
    const model = mockModelConfig(mock.url);
    stateDir = await makeStateDir({
      ...model,
      agents: { ...(model.agents as object), list: [{ id: "main", groupChat: { mentionPatterns: [] } }] },
      channels: {
        bluebubbles: {
          serverUrl: fake.url,
          password: { source: "env", provider: "default", id: "BB_PASSWORD" },
          groupAllowFrom: [BB_ALICE.address],
          groups: { [BB_GROUP]: { requireMention: true } },
        },
      },
    });
    gw = await spawnGateway(stateDir, { env: { BB_PASSWORD } });
    await fake.waitConnected();
    const file = hookFile();
    hookPath = (await readFile(file, "utf8")).trim();
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(hookPath).toMatch(/^\/bluebubbles-webhook\/[A-Za-z0-9_-]{32}$/);
    fake.webhookUrl = `http://127.0.0.1:${gw.port}${hookPath}`;
  });
  afterAll(async () => {
    await gw?.stop();
    await fake?.close();
    await mock?.close();
  });

  it("refuses a webhook on a wrong secret path with 404", async () => {
    const wrong = `http://127.0.0.1:${gw.port}/bluebubbles-webhook/${"x".repeat(32)}`;
    const res = await fetch(wrong, { method: "POST", body: JSON.stringify({ type: "new-message", data: {} }) });
    expect(res.status).toBe(404);
  });

  it("answers a stranger's DM with exactly one pairing message, even with an empty allowlist, and never processes it", async () => {
    await fake.userSends({ from: BB_BOB, text: "hello there" });
    const challenge = await fake.sent.waitFor((s) => s.chatGuid === dm(BB_BOB));
    expect(challenge.message.split("\n")[0]).toBe("holdfast: access not configured.");
    expect(challenge.message).toContain(BB_BOB.address);
    await fake.userSends({ from: BB_BOB, text: "hello again" });
    await new Promise((r) => setTimeout(r, 400));
    expect(sentTo(dm(BB_BOB))).toHaveLength(1);
    expect(mock.requests).toHaveLength(0);
    expect(fake.typing).toEqual([]); // no run, no typing bubble
  });

  it("admits the sender after `holdfast pairing approve bluebubbles <code>`; the reply goes out over REST", async () => {
    const approve = await runCli(
      stateDir,
      ["pairing", "approve", "bluebubbles", codeOf(sentTo(dm(BB_BOB))[0] as BlueBubblesSent)],
      { env: { BB_PASSWORD } },
    );
    expect(approve.code, approve.stderr).toBe(0);
    await fake.userSends({ from: BB_BOB, text: "what is up" });
    const reply = await fake.sent.waitFor((s) => s.chatGuid === dm(BB_BOB) && s.message.startsWith("echo:"));
    expect(reply.message).toBe("echo: what is up");
    // The run showed the typing bubble in the chat (POST /api/v1/chat/<guid>/typing) before the reply.
    expect(fake.typing).toContain(dm(BB_BOB));
  });

  it("`pairing approve --notify` sends the approval notice over REST; the password is never printed", async () => {
    await fake.userSends({ from: BB_ALICE, text: "hi, may I?" });
    const challenge = await fake.sent.waitFor((s) => s.chatGuid === dm(BB_ALICE));
    const approve = await runCli(stateDir, ["pairing", "approve", "bluebubbles", codeOf(challenge), "--notify"], {
      env: { BB_PASSWORD },
    });
    expect(approve.code, approve.stderr).toBe(0);
    expect(approve.stdout + approve.stderr).not.toContain(BB_PASSWORD);
    const notice = await fake.sent.waitFor((s) => s.chatGuid === dm(BB_ALICE) && s.message.includes("approved"));
    expect(notice.message).toBe(PAIRING_APPROVED_TEXT);
    expect((await readFile(hookFile(), "utf8")).trim()).toBe(hookPath);
  });

  it("ignores group messages without a mention, tapbacks and typing; answers a mention of the bot", async () => {
    await fake.userSends({ from: BB_ALICE, text: "just chatting", chatGuid: BB_GROUP });
    await fake.userSends({
      from: BB_ALICE,
      text: "just chatting",
      chatGuid: BB_GROUP,
      tapbackOn: "A-GUID",
      mentions: [BB_SELF],
    });
    await fake.event("typing-indicator", { display: true, guid: BB_GROUP });
    const asked = await fake.userSends({
      from: BB_ALICE,
      text: "group question",
      chatGuid: BB_GROUP,
      mentions: [BB_SELF],
    });
    const reply = await fake.sent.waitFor((s) => s.chatGuid === BB_GROUP);
    expect(reply).toMatchObject({ message: "echo: group question", selectedMessageGuid: asked.guid });
    expect(fake.typing).toContain(BB_GROUP);
    await new Promise((r) => setTimeout(r, 400));
    expect(sentTo(BB_GROUP)).toHaveLength(1);
    const seen = mock.requests.flatMap((r) => r.messages.map((m) => m.content)).join("\n");
    expect(seen).not.toContain("just chatting");
  });

  it("never shows the password: not in status, not in the logs; it travels only as the API's query parameter", async () => {
    const res = await runCli(stateDir, ["channels", "status", "--json"], { env: { BB_PASSWORD } });
    expect(res.code, res.stderr).toBe(0);
    expect(JSON.parse(res.stdout)).toMatchObject({
      accounts: [{ channel: "bluebubbles", accountId: "default", state: "running", mode: "webhook" }],
    });
    for (const out of [res.stdout, gw.stdout.join(""), gw.stderr.join("")]) {
      expect(out).not.toContain(BB_PASSWORD);
      expect(out).not.toContain(hookPath.split("/").pop() as string);
    }
    expect(fake.sent.items.every((s) => s.url.includes(`password=${BB_PASSWORD}`))).toBe(true);
    expect(fake.unauthorized).toBe(0);
  });
});
