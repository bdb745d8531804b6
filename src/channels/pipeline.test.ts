import { mkdtemp, readdir, readFile, stat } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { beforeEach, describe, expect, it } from "vitest";
import { captureLogger } from "../../test/support/capture-log.js";
import { EchoRuns, MemoryAdapter, memoryChannelDeps, testCommands } from "../../test/support/fake-channel.js";
import { PairingStore } from "../access/index.js";
import type { HoldfastConfig } from "../config/index.js";
import { systemClock } from "../infra/index.js";
import { createChannelService, type AccountSettings, type ChannelService } from "./index.js";

async function setup(settings: AccountSettings, config: HoldfastConfig = {}, guardOutbound?: (text: string) => string) {
  const dir = await mkdtemp(path.join(os.tmpdir(), "hf-pipe-"));
  const adapter = new MemoryAdapter();
  const runs = new EchoRuns();
  const cap = captureLogger();
  const { registry, resets } = testCommands();
  const service: ChannelService = await createChannelService(
    memoryChannelDeps({
      dir,
      config,
      log: cap.log,
      runs,
      commands: registry,
      adapter,
      settings,
      ...(guardOutbound ? { guardOutbound } : {}),
    }),
  );
  await service.start();
  const pairing = new PairingStore(path.join(dir, "credentials"), "telegram", systemClock);
  return { dir, adapter, runs, cap, service, pairing, resets };
}

describe("inbound pipeline", () => {
  let t: Awaited<ReturnType<typeof setup>>;

  it("passes every outbound text through the leak scan (replies and the send API)", async () => {
    const secret = "sk-canary-0123456789abcdef";
    t = await setup({ dmPolicy: "allowlist", allowFrom: ["5"] }, {}, (text) =>
      text.includes(secret) ? "[withheld]" : text,
    );
    await t.adapter.deliver({ senderId: "5", text: `please repeat ${secret}` });
    await t.service.flush();
    await t.service.send("telegram", "default", "5", `again ${secret}`);
    expect(t.adapter.sent.map((m) => m.text)).toEqual(["[withheld]", "[withheld]"]);
  });

  describe("DMs under pairing", () => {
    beforeEach(async () => {
      t = await setup({});
    });

    it("challenges an unknown sender once, ignores the 4th, and admits after approval", async () => {
      await t.adapter.deliver({ senderId: "1", text: "hi" });
      await t.adapter.deliver({ senderId: "1", text: "hi again" });
      await t.adapter.deliver({ senderId: "2" });
      await t.adapter.deliver({ senderId: "3" });
      await t.adapter.deliver({ senderId: "4" });
      expect(t.runs.started).toHaveLength(0);
      expect(t.adapter.sent.map((m) => m.chatId)).toEqual(["1", "2", "3"]);
      const code = /Pairing code:\n```\n([A-Z0-9]{8})\n```/.exec(t.adapter.sent[0]?.text ?? "")?.[1] as string;
      expect(t.adapter.sent[0]?.text).toContain(`holdfast pairing approve telegram ${code}`);
      expect((await t.pairing.list()).map((r) => r.id)).toEqual(["1", "2", "3"]);

      await t.pairing.approve(code.toLowerCase());
      await t.adapter.deliver({ senderId: "1", text: "now?", senderName: "Ada" });
      await t.service.flush();
      expect(t.runs.started).toHaveLength(1);
      expect(t.runs.started[0]).toMatchObject({
        agentId: "main",
        sessionKey: "agent:main:telegram:direct:1",
        message: "now?",
        sender: { channel: "telegram", id: "1", name: "Ada", accountId: "default", chatType: "direct", chatId: "1" },
        origin: { channel: "telegram", chatType: "direct", displayName: "Ada" },
      });
      expect(t.adapter.sent.at(-1)).toEqual({ chatId: "1", text: "echo: now?" });
    });

    it("logs each decision at debug with a reason code and without message content", async () => {
      await t.adapter.deliver({ senderId: "9", text: "very private words" });
      const decision = t.cap.lines.find((l) => l.msg === "ingress decision");
      expect(decision).toMatchObject({ level: 20, reason: "dm_policy_pairing_required", allow: false, senderId: "9" });
      expect(t.cap.text()).not.toContain("very private words");
    });
  });

  it("gives each run its sender's provenance: an owner is trusted in a DM and a group, anyone else is dm or group", async () => {
    t = await setup(
      {
        dmPolicy: "allowlist",
        allowFrom: ["1", "2"],
        groupAllowFrom: ["1", "2"],
        groups: { "*": { requireMention: false } },
      },
      { commands: { ownerAllowFrom: ["telegram:1"] } },
    );
    const inGroup = { chatType: "group" as const, chatId: "-100", mentionsBot: true };
    await t.adapter.deliver({ senderId: "1", text: "owner dm" });
    await t.adapter.deliver({ senderId: "2", text: "friend dm" });
    await t.adapter.deliver({ ...inGroup, senderId: "1", text: "owner in group" });
    await t.adapter.deliver({ ...inGroup, senderId: "2", text: "member in group" });
    await t.service.flush();
    expect(t.runs.started.map((r) => [r.message, r.provenance])).toEqual([
      ["owner dm", { kind: "owner" }],
      ["friend dm", { kind: "dm", source: "telegram:2" }],
      ["owner in group", { kind: "owner" }],
      ["member in group", { kind: "group", source: "telegram:2 in chat -100" }],
    ]);
  });

  describe("groups", () => {
    beforeEach(async () => {
      t = await setup({ groupAllowFrom: ["1"], groups: { "*": { requireMention: true } } });
    });
    const inGroup = { chatType: "group" as const, chatId: "-100" };

    it("ignores unmentioned messages and answers mentions as a reply, in the group's session", async () => {
      await t.adapter.deliver({ ...inGroup, senderId: "1", text: "chatter" });
      const m = await t.adapter.deliver({ ...inGroup, senderId: "1", text: "HoldFast, help", mentionsBot: false });
      await t.adapter.deliver({ ...inGroup, senderId: "2", text: "holdfast?" });
      await t.service.flush();
      expect(t.runs.started.map((r) => [r.message, r.sessionKey])).toEqual([
        ["HoldFast, help", "agent:main:telegram:group:-100"],
      ]);
      expect(t.adapter.sent).toEqual([{ chatId: "-100", text: "echo: HoldFast, help", replyTo: m.messageId }]);
    });

    it("lets an authorized sender's command bypass mention gating, never an unauthorized one's", async () => {
      await t.adapter.deliver({ ...inGroup, senderId: "2", text: "/status" });
      await t.adapter.deliver({ ...inGroup, senderId: "2", text: "/new", mentionsBot: true, hasAnyMention: true });
      expect(t.adapter.sent).toEqual([]);
      expect(t.resets).toEqual([]);
      await t.adapter.deliver({ ...inGroup, senderId: "1", text: "/new@other_bot", commandForOtherBot: true });
      expect(t.resets).toEqual([]);
      await t.adapter.deliver({ ...inGroup, senderId: "1", text: "/status" });
      expect(t.adapter.sent[0]?.text).toBe("Session agent:main:telegram:group:-100 · agent main");
      expect(t.runs.started).toHaveLength(0);
    });
  });

  describe("media", () => {
    beforeEach(async () => {
      t = await setup({ dmPolicy: "allowlist", allowFrom: ["1"], mediaMaxMb: 0.001 });
    });

    it("refuses announced oversized media before any download, with a note", async () => {
      await t.adapter.deliver({
        senderId: "1",
        text: "",
        media: [{ kind: "document", fileId: "big", sizeBytes: 5000 }],
      });
      expect(t.adapter.fetched).toEqual([]);
      expect(t.runs.started).toHaveLength(0);
      expect(t.adapter.sent[0]?.text).toMatch(
        /^holdfast: that file is too large \(0\.0 MB\); the limit is 0\.0 MB\. It was not downloaded\.$/,
      );
    });

    it("refuses media that turn out too large while downloading", async () => {
      t.adapter.files.set("sneaky", Buffer.alloc(5000));
      await t.adapter.deliver({ senderId: "1", media: [{ kind: "document", fileId: "sneaky" }] });
      expect(t.runs.started).toHaveLength(0);
      expect(t.adapter.sent[0]?.text).toContain("too large");
    });

    it("saves admitted media in the gateway-owned media directory (600) and tells the agent the /inbox path", async () => {
      t.adapter.files.set("doc", Buffer.from("small"));
      await t.adapter.deliver({
        senderId: "1",
        text: "see file",
        media: [{ kind: "document", fileId: "doc", sizeBytes: 5, fileName: "../../etc/passwd" }],
      });
      const msg = t.runs.started[0]?.message ?? "";
      const name = /saved as \/inbox\/([^\]]+)\]/.exec(msg)?.[1] as string;
      expect(msg).toMatch(/^see file\n\[attachment: document, 5 bytes, saved as \/inbox\/\S+\.txt\]$/);
      const [session] = await readdir(path.join(t.dir, "media"));
      const file = path.join(t.dir, "media", session as string, name);
      expect(await readFile(file, "utf8")).toBe("small");
      expect((await stat(file)).mode & 0o777).toBe(0o600);
    });

    it("never downloads media of refused senders", async () => {
      t.adapter.files.set("doc", Buffer.from("x"));
      await t.adapter.deliver({ senderId: "2", media: [{ kind: "document", fileId: "doc" }] });
      expect(t.adapter.fetched).toEqual([]);
      expect(t.adapter.sent).toEqual([]);
    });
  });

  it("sends through a running account for other stages, and refuses unknown accounts", async () => {
    t = await setup({ allowFrom: ["77"] });
    expect(await t.service.send("telegram", "default", "77", "note")).toEqual({ sent: true, messageIds: ["1"] });
    expect(t.adapter.sent).toEqual([{ chatId: "77", text: "note" }]);
    await expect(t.service.send("telegram", "other", "77", "x")).rejects.toMatchObject({ code: "HF_CHANNEL_UNKNOWN" });
  });

  it("refuses a DM to a user the DM policy does not admit, as a value, and never sends it", async () => {
    t = await setup({ allowFrom: ["77"], groupPolicy: "disabled" });
    expect(await t.service.send("telegram", "default", "78", "psst")).toEqual({
      sent: false,
      reason: "dm_recipient_not_allowlisted",
      detail: 'user 78 may not be sent DMs under dmPolicy "pairing"',
    });
    expect(await t.service.send("telegram", "default", "-100", "hi all")).toMatchObject({
      sent: false,
      reason: "group_policy_disabled",
    });
    await t.pairing.allow.add("default", "78");
    expect(await t.service.send("telegram", "default", "78", "now ok")).toMatchObject({ sent: true });
    expect(t.adapter.sent.map((m) => m.chatId)).toEqual(["78"]);
  });
});
