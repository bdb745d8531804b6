import { mkdir, mkdtemp, symlink, writeFile } from "node:fs/promises";
import { createServer } from "node:http";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { describeImage, ModelChain, ProviderCatalog } from "../agent/index.js";
import { systemClock } from "../infra/index.js";
import { silentLogger } from "../logging/index.js";
import { SecretsSnapshot } from "../secrets/index.js";
import type { ChatMessage, SessionMeta } from "../sessions/index.js";
import { TurnTaint } from "./turn-taint.js";
import { hostToolFiles } from "../../test/support/host-tool-files.js";
import { imageTool, sniffImage } from "./image-tool.js";
import { isMemoryPath, memoryTools } from "./memory-tools.js";
import { messageTool, type ChannelOutbound } from "./message-tool.js";
import { sessionsTools, type SessionsAccess } from "./sessions-tools.js";
import type { AnyToolDefinition, ToolContext } from "./types.js";

const ctx = (over: Partial<ToolContext> = {}): ToolContext => ({
  agentId: "main",
  sessionKey: "agent:main:main",
  runId: "r",
  workspaceDir: "/",
  signal: new AbortController().signal,
  log: silentLogger(),
  ...over,
});
const meta = (key: string): SessionMeta => ({
  key,
  sessionId: key,
  agentId: key.split(":")[1] ?? "main",
  createdAt: 0,
  updatedAt: 0,
  messageCount: 2,
});

describe("sessions tools", () => {
  const runs: { sessionKey: string; message: string; fromSessionKey: string }[] = [];
  const access: SessionsAccess = {
    list: async () => ["agent:main:main", "agent:main:other", "agent:ops:main"].map(meta),
    get: async (k) => meta(k),
    history: async (k): Promise<ChatMessage[]> => [
      { role: "user", content: `hi ${k}`, timestamp: 0 },
      { role: "assistant", content: "hello", timestamp: 1 },
    ],
    run: async (input) => (runs.push(input), { state: "final", text: `done: ${input.message}` }),
  };
  const byName = (tools: AnyToolDefinition[], n: string) => tools.find((t) => t.name === n) as AnyToolDefinition;

  it("shows only the sessions the visibility allows", async () => {
    const agentTools = sessionsTools(access, {
      visibility: () => "agent",
      agentToAgent: { enabled: false, allow: [] },
    });
    expect((await byName(agentTools, "sessions_list").execute({}, ctx())).content).not.toContain("agent:ops:main");
    expect(await byName(agentTools, "sessions_history").execute({ sessionKey: "agent:ops:main" }, ctx())).toEqual({
      content:
        "sessions_history failed: session agent:ops:main is not visible from this session (tools.sessions.visibility)",
      isError: true,
      refused: true,
    });
    expect((await byName(agentTools, "sessions_history").execute({ sessionKey: "other" }, ctx())).content).toBe(
      "[user] hi agent:main:other\n[assistant] hello",
    );
    const selfTools = sessionsTools(access, { visibility: () => "self", agentToAgent: { enabled: false, allow: [] } });
    expect((await byName(selfTools, "sessions_list").execute({}, ctx())).content).toBe(
      "agent:main:main  2 messages  updated 1970-01-01T00:00:00.000Z",
    );
  });

  it("sends to another session, never to itself; other agents need agentToAgent", async () => {
    const all = sessionsTools(access, { visibility: () => "all", agentToAgent: { enabled: false, allow: [] } });
    expect(
      (await byName(all, "sessions_send").execute({ sessionKey: "agent:main:other", message: "ping" }, ctx())).content,
    ).toBe("Reply from agent:main:other:\ndone: ping");
    expect(runs.at(-1)).toEqual({
      agentId: "main",
      sessionKey: "agent:main:other",
      message: "ping",
      fromSessionKey: "agent:main:main",
      provenance: { kind: "owner" },
    });
    const taint = new TurnTaint();
    taint.add({ kind: "web", source: "https://evil.test/page" });
    await byName(all, "sessions_send").execute({ sessionKey: "agent:main:other", message: "pong" }, ctx({ taint }));
    expect(runs.at(-1)).toMatchObject({
      message: "pong",
      provenance: { kind: "relay", source: "https://evil.test/page" },
    });
    const sends = runs.length;
    expect(await byName(all, "sessions_send").execute({ sessionKey: "agent:main:main", message: "x" }, ctx())).toEqual({
      content: "sessions_send failed: a session cannot send to itself",
      isError: true,
      refused: true,
    });
    expect(await byName(all, "sessions_send").execute({ sessionKey: "agent:ops:main", message: "x" }, ctx())).toEqual({
      content:
        "sessions_send failed: sending to agent ops needs tools.agentToAgent.enabled and ops in tools.agentToAgent.allow",
      isError: true,
      refused: true,
    });
    expect(runs.length).toBe(sends);
    const a2a = sessionsTools(access, { visibility: () => "all", agentToAgent: { enabled: true, allow: ["ops"] } });
    expect(
      (await byName(a2a, "sessions_send").execute({ sessionKey: "agent:ops:main", message: "x" }, ctx())).content,
    ).toContain("Reply from agent:ops:main");
  });

  it("spawns sub-sessions that the tree visibility then shows, with bounded nesting", async () => {
    const tree = sessionsTools(access, { visibility: () => "tree", agentToAgent: { enabled: false, allow: [] } });
    const r = await byName(tree, "sessions_spawn").execute({ task: "summarize" }, ctx());
    const child = /Reply from (agent:main:spawn:[0-9a-f]{8})/.exec(r.content)?.[1] ?? "";
    expect(child).not.toBe("");
    expect((await byName(tree, "sessions_history").execute({ sessionKey: child }, ctx())).content).toContain("hello");
    expect(await byName(tree, "sessions_history").execute({ sessionKey: "agent:main:other" }, ctx())).toEqual({
      content:
        "sessions_history failed: session agent:main:other is not visible from this session (tools.sessions.visibility)",
      isError: true,
      refused: true,
    });
    const grandchild =
      /Reply from (\S+):/.exec(
        (await byName(tree, "sessions_spawn").execute({ task: "t" }, ctx({ sessionKey: child }))).content,
      )?.[1] ?? "";
    expect(await byName(tree, "sessions_spawn").execute({ task: "t" }, ctx({ sessionKey: grandchild }))).toEqual({
      content: "sessions_spawn failed: sub-sessions can nest at most 2 levels",
      isError: true,
      refused: true,
    });
  });
});

describe("message tool", () => {
  it("says clearly when no channel can send, and never reports a send that did not happen", async () => {
    const none: ChannelOutbound = { channels: () => [], send: async () => ({ sent: true }) };
    const r = await messageTool(none).execute({ text: "hi", to: "1", channel: "telegram" }, ctx());
    expect(r).toEqual({
      content: "message not sent: no messaging channel is available in this gateway.",
      isError: true,
    });
  });

  it("sends through the outbound, defaulting to the conversation's chat", async () => {
    const sent: unknown[] = [];
    const out: ChannelOutbound = {
      channels: () => ["telegram"],
      send: async (...a) => (sent.push(a), { sent: true, messageId: "m1" }),
    };
    const c = ctx({ sender: { channel: "telegram", accountId: "acc", id: "42", chatType: "group", chatId: "-100" } });
    expect((await messageTool(out).execute({ text: "hello" }, c)).content).toBe("Sent to telegram:-100 (message m1).");
    expect(sent).toEqual([["telegram", "acc", "-100", "hello"]]);
    expect((await messageTool(out).execute({ text: "x", channel: "slack", to: "1" }, c)).content).toContain(
      'channel "slack" is not available',
    );
  });

  it("reports a send the channel's access policy refused as an error, never as sent", async () => {
    const out: ChannelOutbound = {
      channels: () => ["discord"],
      send: async () => ({ sent: false, reason: "dm_recipient_not_allowlisted", detail: "user 9 may not be sent DMs" }),
    };
    expect(await messageTool(out).execute({ text: "psst", channel: "discord", to: "user:9" }, ctx())).toEqual({
      content:
        "message not sent: discord refuses to send to user:9 (dm_recipient_not_allowlisted: user 9 may not be sent DMs).",
      isError: true,
    });
  });
});

describe("memory tools", () => {
  it("search and get read only MEMORY.md and memory/*.md inside the workspace", async () => {
    const ws = await mkdtemp(path.join(os.tmpdir(), "holdfast-mem-"));
    await mkdir(path.join(ws, "memory"));
    await writeFile(path.join(ws, "MEMORY.md"), "# Memory\nBirthday: March 3\nLikes tea");
    await writeFile(path.join(ws, "memory", "2026-01.md"), "met Alice about the birthday party");
    await writeFile(path.join(ws, "notes.txt"), "birthday secret");
    await symlink("/etc/hostname", path.join(ws, "memory", "leak.md"));
    const [search, get] = memoryTools(hostToolFiles());
    const c = () => ctx({ workspaceDir: ws });
    expect((await search.execute({ query: "birthday" }, c())).content).toBe(
      "MEMORY.md:2: Birthday: March 3\nmemory/2026-01.md:1: met Alice about the birthday party",
    );
    expect((await get.execute({ path: "MEMORY.md", from: 2, lines: 1 }, c())).content).toBe("Birthday: March 3");
    await expect(get.execute({ path: "notes.txt" }, c())).rejects.toThrow(/not a memory file/);
    await expect(get.execute({ path: "memory/../notes.txt" }, c())).rejects.toThrow(/not a memory file/);
    await expect(get.execute({ path: "memory/leak.md" }, c())).rejects.toMatchObject({
      code: "HF_TOOL_PATH_OUTSIDE",
    });
    expect(isMemoryPath("memory/a/b.md")).toBe(true);
  });
});

describe("image tool", () => {
  const png = Buffer.from("89504e470d0a1a0a0000000d49484452", "hex");

  it("detects image types by their bytes", () => {
    expect(sniffImage(png)).toBe("image/png");
    expect(sniffImage(Buffer.from([0xff, 0xd8, 0xff, 0xe0]))).toBe("image/jpeg");
    expect(sniffImage(Buffer.from("GIF89a"))).toBe("image/gif");
    expect(sniffImage(Buffer.from("not an image"))).toBeUndefined();
  });

  it("reads a workspace image and hands it to the describer", async () => {
    const ws = await mkdtemp(path.join(os.tmpdir(), "holdfast-img-"));
    await writeFile(path.join(ws, "a.png"), png);
    await writeFile(path.join(ws, "a.txt"), "text");
    const calls: unknown[] = [];
    const tool = imageTool(hostToolFiles(), async (r) => (calls.push(r), "a tiny PNG"));
    const c = () => ctx({ workspaceDir: ws });
    expect((await tool.execute({ path: "a.png", prompt: "what is it?" }, c())).content).toBe("a tiny PNG");
    expect(calls[0]).toMatchObject({
      agentId: "main",
      prompt: "what is it?",
      image: { mimeType: "image/png", dataBase64: png.toString("base64") },
    });
    expect((await tool.execute({ path: "a.txt" }, c())).isError).toBe(true);
  });

  it("describeImage sends the image to an OpenAI-compatible model as a data URL", async () => {
    let body: { messages: { role: string; content: unknown }[] } | undefined;
    const server = createServer((req, res) => {
      let raw = "";
      req.on("data", (c: Buffer) => (raw += c.toString()));
      req.on("end", () => {
        body = JSON.parse(raw) as typeof body;
        res.writeHead(200, { "content-type": "text/event-stream" });
        res.write(
          `data: ${JSON.stringify({ id: "1", object: "chat.completion.chunk", created: 0, model: "m", choices: [{ index: 0, delta: { content: "a cat" }, finish_reason: "stop" }] })}\n\n`,
        );
        res.end("data: [DONE]\n\n");
      });
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const port = (server.address() as { port: number }).port;
    const catalog = new ProviderCatalog(
      {
        models: {
          providers: {
            mock: { baseUrl: `http://127.0.0.1:${port}/v1`, api: "openai-completions", apiKey: "k", models: ["m"] },
          },
        },
      },
      new SecretsSnapshot(new Map([["models.providers.mock.apiKey", "k"]])),
      {},
    );
    const chain = new ModelChain({ catalog, clock: systemClock, log: silentLogger(), maxRetries: 0 });
    const text = await describeImage(chain, ["mock/m"], {
      prompt: "what?",
      image: { mimeType: "image/png", dataBase64: "AAAA" },
      signal: new AbortController().signal,
    });
    server.close();
    expect(text).toBe("a cat");
    expect(body?.messages.at(-1)).toEqual({
      role: "user",
      content: [
        { type: "text", text: "what?" },
        { type: "image_url", image_url: { url: "data:image/png;base64,AAAA" } },
      ],
    });
  });
});
