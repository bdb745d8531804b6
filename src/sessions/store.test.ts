import { chmod, mkdir, readdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { recordingClock } from "../../test/support/fake-clock.js";
import { tempSessionStore } from "../../test/support/temp-state.js";
import { canonicalSessionKey } from "./index.js";

const opened: (() => Promise<void>)[] = [];
afterAll(() => Promise.all(opened.map((c) => c())));

async function newStore(redact?: (s: string) => string) {
  const s = await tempSessionStore({ clock: recordingClock(), ...(redact ? { redact } : {}) });
  opened.push(s.close);
  return s;
}

describe("session keys", () => {
  it("canonicalizes client keys under the default agent", () => {
    expect(canonicalSessionKey("main").key).toBe("agent:main:main");
    expect(canonicalSessionKey("Demo").key).toBe("agent:main:demo");
    expect(canonicalSessionKey("agent:work:telegram:direct:42")).toMatchObject({
      agentId: "work",
      rest: "telegram:direct:42",
    });
  });

  it("rejects keys that could escape into paths or are malformed", () => {
    for (const bad of ["../../etc", "agent:main:a/b", "agent:Main Key:x", "agent::x", "a".repeat(500), "agent:main:"]) {
      expect(() => canonicalSessionKey(bad), bad).toThrow(expect.objectContaining({ code: "HF_SESSION_KEY_INVALID" }));
    }
  });
});

describe("session store", () => {
  it("keeps an assistant reply withheld as it was sent, and user and tool texts as they are", async () => {
    const withholdReply = (t: string) => (t.includes("hunter2") ? "[withheld]" : t);
    const s = await tempSessionStore({ clock: recordingClock(), withholdReply });
    opened.push(s.close);
    await s.store.append("agent:main:w", { role: "user", content: "say hunter2", timestamp: 1 });
    await s.store.append("agent:main:w", { role: "assistant", content: "it is hunter2", timestamp: 2 });
    await s.store.append("agent:main:w", { role: "assistant", content: "fine", timestamp: 3 });
    expect((await s.store.history("agent:main:w")).map((m) => m.content)).toEqual([
      "say hunter2",
      "[withheld]",
      "fine",
    ]);
  });

  it("writes a header line and one line per message, and lists sessions newest first", async () => {
    const { store, agentsDir } = await newStore();
    await store.append("agent:main:a", { role: "user", content: "one", timestamp: 1 });
    await store.append("agent:main:b", { role: "user", content: "two", timestamp: 5 });
    await store.flush();
    const list = await store.list();
    expect(list.map((s) => [s.key, s.messageCount])).toEqual([
      ["agent:main:b", 1],
      ["agent:main:a", 1],
    ]);
    const meta = list[1] as { sessionId: string };
    const lines = (await readFile(path.join(agentsDir, "main", "sessions", `${meta.sessionId}.jsonl`), "utf8"))
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as { type: string });
    expect(lines.map((l) => l.type)).toEqual(["session", "message"]);
  });

  it("returns the last N messages in order", async () => {
    const { store } = await newStore();
    for (let i = 0; i < 5; i++) void store.append("main", { role: "user", content: `m${i}`, timestamp: i });
    expect((await store.history("main", 2)).map((m) => m.content)).toEqual(["m3", "m4"]);
  });

  it("keeps a bounded window in memory and reads older messages from disk", async () => {
    const { store } = await newStore();
    await store.append("main", { role: "user", content: "m0", timestamp: 0 });
    expect(await store.history("main")).toHaveLength(1);
    const writes = [];
    for (let i = 1; i < 1010; i++) writes.push(store.append("main", { role: "user", content: `m${i}`, timestamp: i }));
    await Promise.all(writes);
    expect((await store.history("main", 2)).map((m) => m.content)).toEqual(["m1008", "m1009"]);
    const all = await store.history("main", 0);
    expect(all).toHaveLength(1010);
    expect(all[0]?.content).toBe("m0");
  });

  it("keeps memory within its bounds over many sessions and still answers every history from disk", async () => {
    const s = await tempSessionStore({
      clock: recordingClock(),
      cache: { sessions: 4, messagesPerSession: 5, bytes: 2000 },
    });
    opened.push(s.close);
    const writes = [];
    for (let i = 0; i < 300; i++) {
      const key = `agent:main:s${i % 10}`;
      writes.push(s.store.append(key, { role: "user", content: `m${i}`.padEnd(40, "."), timestamp: i }));
      if (i % 7 === 0) await s.store.history(key, 3);
      const st = s.store.cacheStats();
      expect(st.sessions).toBeLessThanOrEqual(4);
      expect(st.bytes).toBeLessThanOrEqual(2000);
    }
    await Promise.all(writes);
    for (let k = 0; k < 10; k++) {
      const all = await s.store.history(`agent:main:s${k}`, 0);
      expect(all.map((m) => m.content?.toString().replace(/\.+$/, ""))).toEqual(
        Array.from({ length: 30 }, (_, j) => `m${j * 10 + k}`),
      );
      expect((await s.store.history(`agent:main:s${k}`, 2)).map((m) => m.timestamp)).toEqual([280 + k, 290 + k]);
    }
    expect(s.store.cacheStats().messages).toBeLessThanOrEqual(4 * 5);
  });

  it("redacts every string written to a transcript", async () => {
    const { store } = await newStore((s) => s.replaceAll("hunter2", "***"));
    await store.append("main", {
      role: "assistant",
      content: "pw hunter2",
      toolCalls: [{ id: "1", name: "exec", arguments: { command: "echo hunter2" } }],
      timestamp: 1,
    });
    const [m] = await store.history("main");
    expect(JSON.stringify(m)).not.toContain("hunter2");
  });

  it("deletes by archiving the transcript", async () => {
    const { store, agentsDir } = await newStore();
    await store.append("main", { role: "user", content: "x", timestamp: 1 });
    expect(await store.delete("main")).toBe(true);
    expect(await store.delete("main")).toBe(false);
    expect(await store.list()).toEqual([]);
    const files = await readdir(path.join(agentsDir, "main", "sessions"));
    expect(files.some((f) => /\.jsonl\.deleted\.\d+$/.test(f))).toBe(true);
  });
});

describe("session store durability", () => {
  it("records the key and origin in the header so the index can be rebuilt from transcripts", async () => {
    const { store, agentsDir, state } = await newStore();
    await store.append(
      "agent:main:demo",
      { role: "user", content: "x", timestamp: 1 },
      { channel: "webchat", chatType: "direct" },
    );
    await store.flush();
    const meta = (await store.get("demo")) as { sessionId: string };
    const header = JSON.parse(
      (await readFile(path.join(agentsDir, "main", "sessions", `${meta.sessionId}.jsonl`), "utf8")).split(
        "\n",
      )[0] as string,
    ) as Record<string, unknown>;
    expect(header).toMatchObject({
      type: "session",
      version: 3,
      id: meta.sessionId,
      key: "agent:main:demo",
      agentId: "main",
      channel: "webchat",
    });
    expect(state.sessions.get("agent:main:demo")).toMatchObject({ messageCount: 1, channel: "webchat" });
  });

  it("cuts a torn tail before the next append, so no message is glued onto a fragment", async () => {
    const { store, agentsDir } = await newStore();
    await store.append("main", { role: "user", content: "one", timestamp: 1 });
    await store.close();
    const meta = (await store.get("main")) as { sessionId: string };
    const file = path.join(agentsDir, "main", "sessions", `${meta.sessionId}.jsonl`);
    await writeFile(file, `${await readFile(file, "utf8")}{"type":"message","message":{"role":"us`);
    await store.append("main", { role: "user", content: "two", timestamp: 2 });
    await store.flush();
    const lines = (await readFile(file, "utf8")).split("\n").filter(Boolean);
    expect(lines.map((l) => (JSON.parse(l) as { type: string }).type)).toEqual(["session", "message", "message"]);
    expect((await store.history("main", 0)).map((m) => m.content)).toEqual(["one", "two"]);
  });

  it("keeps serving when the transcript cannot be written, and recovers", async () => {
    const { store, agentsDir, state } = await newStore();
    await store.append("main", { role: "user", content: "one", timestamp: 1 });
    const dir = path.join(agentsDir, "main", "sessions");
    await store.close();
    await chmod(dir, 0o500);
    const meta = (await store.get("main")) as { sessionId: string };
    await rename(path.join(dir, `${meta.sessionId}.jsonl`), path.join(dir, "moved.jsonl")).catch(() => undefined);
    await chmod(dir, 0o700);
    await mkdir(path.join(dir, `${meta.sessionId}.jsonl`));
    await expect(store.append("main", { role: "user", content: "two", timestamp: 2 })).rejects.toMatchObject({
      code: "HF_STATE_IO",
      details: { store: "transcripts" },
    });
    expect(state.health.condition("transcripts")).toMatchObject({ code: "HF_STATE_IO" });
    await rm(path.join(dir, `${meta.sessionId}.jsonl`), { recursive: true });
    await store.append("main", { role: "user", content: "three", timestamp: 3 });
    expect(state.health.degraded()).toBe(false);
  });
});
