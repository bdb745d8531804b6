import { Hono } from "hono";
import { describe, expect, it } from "vitest";
import type { RunEvent, StartRunInput } from "../agent/index.js";
import type { ClientAddress } from "../gateway/index.js";
import { silentLogger } from "../logging/index.js";
import { noSecurityTrail } from "../trail/index.js";
import { createHooksStage, type HookRunEnd } from "./stage.js";
import { hookSettings, type HookSettings } from "./settings.js";

const TOKEN = "hooks-token-0123456789-abcdefghij";
const CLIENT: ClientAddress = {
  peerIp: "127.0.0.1",
  ip: "127.0.0.1",
  isLoopbackPeer: true,
  isLocal: true,
  unattributedProxy: false,
};

function setup(over: Partial<HookSettings> = {}, opts: { readTimeoutMs?: number } = {}) {
  let now = 1_000_000;
  const started: StartRunInput[] = [];
  const sent: { channel: string; to: string; replyKey: string; runId: string; end: () => HookRunEnd }[] = [];
  const settings = { ...(hookSettings({ hooks: { enabled: true } }) as HookSettings), ...over };
  const stage = createHooksStage({
    settings,
    token: () => TOKEN,
    runs: {
      start: (input) => {
        started.push(input);
        return { runId: `run-${started.length}`, status: "started", deduped: false, done: Promise.resolve() };
      },
    },
    outbound: async (channel, _acct, to) => ({
      sent: true,
      follow: (replyKey, run, end) => sent.push({ channel, to, replyKey, runId: run.runId, end }),
    }),
    agentIds: ["main", "ops"],
    log: silentLogger(),
    now: () => now,
    trail: noSecurityTrail,
    ...opts,
  });
  const app = new Hono();
  stage.mount(app, () => CLIENT);
  const post = (path: string, body: unknown, headers: Record<string, string> = { authorization: `Bearer ${TOKEN}` }) =>
    app.request(path, {
      method: "POST",
      headers: { "content-type": "application/json", ...headers },
      body: typeof body === "string" ? body : JSON.stringify(body),
    });
  return { app, post, started, sent, advance: (ms: number) => (now += ms) };
}

describe("webhook authentication", () => {
  it("accepts Bearer, x-openclaw-token and x-holdfast-token; the bearer wins over the others", async () => {
    const { post } = setup();
    expect((await post("/hooks/agent", { message: "a" })).status).toBe(202);
    expect((await post("/hooks/agent", { message: "a" }, { "x-openclaw-token": TOKEN })).status).toBe(202);
    expect((await post("/hooks/agent", { message: "a" }, { "x-holdfast-token": TOKEN })).status).toBe(202);
    const r = await post(
      "/hooks/agent",
      { message: "a" },
      { authorization: "Bearer wrong", "x-openclaw-token": TOKEN },
    );
    expect(r.status).toBe(401);
  });

  it("answers 400 to ?token= even with a valid header, 401 to a missing or wrong token", async () => {
    const { post, started } = setup();
    expect((await post(`/hooks/agent?token=${TOKEN}`, { message: "a" })).status).toBe(400);
    expect((await post("/hooks/agent", { message: "a" }, {})).status).toBe(401);
    expect((await post("/hooks/wake", { text: "a" }, { "x-openclaw-token": "nope" })).status).toBe(401);
    expect(started).toHaveLength(0);
  });

  it("locks a client out after 20 failures in 60 s: 429 with Retry-After, the right token included, then lets it in", async () => {
    const { post, advance } = setup();
    for (let i = 0; i < 20; i++) expect((await post("/hooks/agent", { message: "a" }, {})).status).toBe(401);
    const locked = await post("/hooks/agent", { message: "a" });
    expect(locked.status).toBe(429);
    expect(Number(locked.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(Number(locked.headers.get("retry-after"))).toBeLessThanOrEqual(60);
    advance(60_001);
    expect((await post("/hooks/agent", { message: "a" })).status).toBe(202);
  });
});

describe("webhook bodies", () => {
  it("refuses a body above the bound with 413 and invalid JSON or fields with 400", async () => {
    const { post } = setup({ maxBodyBytes: 1024 });
    expect((await post("/hooks/agent", { message: "x".repeat(2000) })).status).toBe(413);
    expect((await post("/hooks/agent", "{not json")).status).toBe(400);
    const r = await post("/hooks/agent", { message: "a", to: "12345" });
    expect(r.status).toBe(400);
    expect(((await r.json()) as { error: string }).error).toContain("hooks.deliver");
    expect((await post("/hooks/wake", { text: "a", mode: "next-heartbeat" })).status).toBe(400);
  });

  it("answers 408 when the body does not arrive within the read timeout", async () => {
    const { app } = setup({}, { readTimeoutMs: 100 });
    const stalled = new ReadableStream<Uint8Array>({
      start: (c) => c.enqueue(new TextEncoder().encode('{"message":')),
    });
    const r = await app.request("/hooks/agent", {
      method: "POST",
      headers: { authorization: `Bearer ${TOKEN}` },
      body: stalled,
      duplex: "half",
    } as RequestInit);
    expect(r.status).toBe(408);
  });
});

describe("webhook agents and sessions", () => {
  it("gives each request its own hook:<uuid> session unless a default is set", async () => {
    const { post, started } = setup();
    await post("/hooks/agent", { message: "one" });
    await post("/hooks/agent", { message: "two" });
    expect(started.map((s) => s.sessionKey)).toEqual([
      expect.stringMatching(/^agent:main:hook:[0-9a-f-]{36}$/),
      expect.stringMatching(/^agent:main:hook:[0-9a-f-]{36}$/),
    ]);
    expect(started[0]?.sessionKey).not.toBe(started[1]?.sessionKey);
    const d = setup({ defaultSessionKey: "hook:inbox" });
    await d.post("/hooks/wake", { text: "ping" });
    expect(d.started[0]).toMatchObject({
      sessionKey: "agent:main:hook:inbox",
      message: "ping",
      provenance: { kind: "webhook", source: "webhook wake (system event)" },
    });
  });

  it("refuses a requested session key unless allowed, and then only under the allowed prefixes", async () => {
    const off = setup();
    expect((await off.post("/hooks/agent", { message: "a", sessionKey: "main" })).status).toBe(400);
    const on = setup({ allowRequestSessionKey: true, allowedSessionKeyPrefixes: ["hook:"] });
    expect((await on.post("/hooks/agent", { message: "a", sessionKey: "main" })).status).toBe(400);
    expect((await on.post("/hooks/agent", { message: "a", sessionKey: "HOOK:Build" })).status).toBe(202);
    expect(on.started[0]?.sessionKey).toBe("agent:main:hook:build");
    expect(
      (await on.post("/hooks/agent", { message: "a", agentId: "main", sessionKey: "agent:ops:hook:x" })).status,
    ).toBe(400);
  });

  it("runs only agents in allowedAgentIds ([] refuses all)", async () => {
    const some = setup({ allowedAgentIds: ["ops"] });
    expect((await some.post("/hooks/agent", { message: "a" })).status).toBe(400);
    expect((await some.post("/hooks/agent", { message: "a", agentId: "ops" })).status).toBe(202);
    expect((await some.post("/hooks/agent", { message: "a", agentId: "nobody" })).status).toBe(400);
    const none = setup({ allowedAgentIds: [] });
    expect((await none.post("/hooks/agent", { message: "a", agentId: "ops" })).status).toBe(400);
  });

  it("queues the final reply for hooks.deliver, keyed by the run, unless the request says deliver: false", async () => {
    const { post, started, sent } = setup({ deliver: { channel: "telegram", to: "2001" } });
    await post("/hooks/agent", { message: "a" });
    await post("/hooks/agent", { message: "b", deliver: false });
    expect(started[1]?.onEvent).toBeUndefined();
    const ev: RunEvent = {
      runId: "run-1",
      agentId: "main",
      sessionKey: started[0]?.sessionKey ?? "",
      seq: 3,
      event: { type: "final", text: "done", stopReason: "stop" },
    };
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({ channel: "telegram", to: "2001", replyKey: "hook:run-1", runId: "run-1" });
    expect(sent[0]?.end()).toEqual({});
    started[0]?.onEvent?.(ev);
    expect(sent[0]?.end()).toEqual({ final: "done" });
  });
});
