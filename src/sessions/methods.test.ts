import { afterAll, describe, expect, it } from "vitest";
import { recordingClock } from "../../test/support/fake-clock.js";
import { tempSessionStore } from "../../test/support/temp-state.js";
import type { MethodContext } from "../gateway/index.js";
import { silentLogger } from "../logging/index.js";
import { SessionEvents } from "./events.js";
import { sessionMethods } from "./methods.js";
import { healthSessions, statusSessions } from "./summary.js";

const opened: { close: () => Promise<void> }[] = [];
afterAll(() => Promise.all(opened.map((s) => s.close())));

/** A store, the event fan-out over fake connections, and the session methods, callable by name. */
async function setup(active: Set<string> = new Set()) {
  const temp = await tempSessionStore({ clock: recordingClock(0) });
  const { store } = temp;
  opened.push(temp);
  const sent: { connId: string; event: string; payload: Record<string, unknown> }[] = [];
  let onClose: ((s: { connId: string }) => void) | undefined;
  const connections = {
    send: (connId: string, event: string, payload: unknown) =>
      sent.push({ connId, event, payload: payload as Record<string, unknown> }) > 0,
    watch: (l: { close?: (s: { connId: string }) => void }) => {
      onClose = l.close;
      return () => undefined;
    },
  };
  const events = new SessionEvents({
    store,
    connections: connections as never,
    isActive: (k) => active.has(k),
    now: () => 1_000,
  });
  const defs = sessionMethods({
    store,
    agentIds: () => ["main", "work"],
    abortSession: () => undefined,
    isActive: (k) => active.has(k),
    defaults: async () => ({ modelProvider: "mock", model: "mock-model", contextTokens: null }),
    events,
    now: () => 1_000,
  });
  const call = async (name: string, params: unknown, connId = "c1") => {
    const def = defs.find((d) => d.name === name);
    if (!def) throw new Error(`no method ${name}`);
    const ctx = {
      conn: { connId } as MethodContext["conn"],
      log: silentLogger(),
      sendEvent: () => undefined,
      accept: () => undefined,
    };
    return (await def.handler(def.params.parse(params), ctx)) as Record<string, unknown>;
  };
  return { store, sent, call, close: (connId: string) => onClose?.({ connId }) };
}

describe("session methods for gateway clients", () => {
  it("lists sessions with the reference fields, paginated, with the model defaults", async () => {
    const { store, call } = await setup(new Set(["agent:main:b"]));
    await store.append("agent:main:a", { role: "user", content: "first   question", timestamp: 1 });
    await store.append("agent:main:b", { role: "user", content: "second", timestamp: 2 });
    await store.append("agent:work:main", { role: "user", content: "work", timestamp: 3 });
    const page = await call("sessions.list", { agentId: "main", limit: 1, includeLastMessage: true });
    expect(page).toMatchObject({
      count: 1,
      totalCount: 2,
      limitApplied: 1,
      offset: 0,
      nextOffset: 1,
      hasMore: true,
      defaults: { modelProvider: "mock", model: "mock-model" },
    });
    expect(page.sessions).toEqual([
      expect.objectContaining({
        key: "agent:main:b",
        agentId: "main",
        kind: "direct",
        status: "running",
        isMain: false,
        lastMessagePreview: "second",
      }),
    ]);
    const rest = await call("sessions.list", { agentId: "main", offset: 1 });
    expect(rest).toMatchObject({ count: 1, hasMore: false, nextOffset: null });
    expect((await call("sessions.list", { activeOnly: true })).totalCount).toBe(1);
    expect((await call("sessions.list", { search: "work" })).totalCount).toBe(1);
  });

  it("describes one session, or null", async () => {
    const { store, call } = await setup();
    await store.append("agent:main:main", { role: "user", content: "hi", timestamp: 1 });
    expect((await call("sessions.describe", { key: "main" })).session).toMatchObject({
      key: "agent:main:main",
      isMain: true,
      status: "done",
      lastMessagePreview: "hi",
    });
    expect(await call("sessions.describe", { key: "agent:main:none" })).toEqual({ session: null });
  });

  it("sends sessions.changed to list subscribers and session.message to that session's subscribers only", async () => {
    const { store, sent, call, close } = await setup();
    expect(await call("sessions.subscribe", {}, "c1")).toEqual({ subscribed: true });
    expect(await call("sessions.subscribe", { limit: 5 }, "c2")).toMatchObject({
      subscribed: true,
      list: { count: 0 },
    });
    expect(await call("sessions.messages.subscribe", { key: "main" }, "c3")).toEqual({
      subscribed: true,
      key: "agent:main:main",
    });
    await store.append("agent:main:main", { role: "user", content: "hello", timestamp: 5 });
    await store.append("agent:main:main", {
      role: "assistant",
      content: "world",
      timestamp: 6,
      model: "mock/mock-model",
    });
    await store.append("agent:main:other", { role: "user", content: "elsewhere", timestamp: 7 });
    const changed = sent.filter((s) => s.event === "sessions.changed");
    expect(new Set(changed.map((s) => s.connId))).toEqual(new Set(["c1", "c2"]));
    expect(changed.filter((s) => s.connId === "c1").map((s) => s.payload.reason)).toEqual([
      "create",
      "message",
      "message",
      "create",
      "message",
    ]);
    const messages = sent.filter((s) => s.event === "session.message");
    expect(messages.map((s) => s.connId)).toEqual(["c3", "c3"]);
    expect(messages[1]?.payload).toMatchObject({
      sessionKey: "agent:main:main",
      messageSeq: 2,
      message: {
        role: "assistant",
        content: [{ type: "text", text: "world" }],
        provider: "mock",
        model: "mock-model",
        __openclaw: { seq: 2 },
      },
    });
    close("c1");
    close("c3");
    sent.length = 0;
    await store.append("agent:main:main", { role: "user", content: "again", timestamp: 8 });
    expect(sent.map((s) => s.connId)).toEqual(["c2"]);
    await store.delete("agent:main:main");
    expect(sent.at(-1)?.payload).toMatchObject({
      reason: "delete",
      sessionKey: "agent:main:main",
      sessionId: expect.any(String),
    });
  });
});

describe("session summaries for status and health", () => {
  it("counts sessions per agent, newest first, and shows index paths to admins only", async () => {
    const { store } = await setup();
    await store.append("agent:main:a", { role: "user", content: "x", timestamp: 10 });
    await store.append("agent:work:main", { role: "user", content: "y", timestamp: 20 });
    const d = { store, agentIds: () => ["main", "work"], now: () => 100 };
    const reader = await statusSessions(d, { admin: false }, { model: "mock/mock-model", contextTokens: null });
    expect(reader).toMatchObject({
      paths: [],
      count: 2,
      defaults: { model: "mock/mock-model" },
      recent: [
        { key: "agent:work:main", age: 80 },
        { key: "agent:main:a", age: 90 },
      ],
      byAgent: [
        { agentId: "main", path: "[redacted]", count: 1, recent: [{ key: "agent:main:a" }] },
        { agentId: "work", path: "[redacted]", count: 1 },
      ],
    });
    const admin = await statusSessions(d, { admin: true }, { model: null, contextTokens: null });
    expect((admin.paths as string[])[0]).toBe(store.sessionsDir("main"));
    const health = await healthSessions(d, { admin: false });
    expect(health.agents[0]).toMatchObject({
      agentId: "main",
      isDefault: true,
      heartbeat: { enabled: false, everyMs: null },
      sessions: { path: "[redacted]", count: 1, recent: [{ key: "agent:main:a", age: 90 }] },
    });
    expect(health.sessions).toEqual(health.agents[0]?.sessions);
  });
});
