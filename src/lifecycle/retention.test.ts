import { mkdtemp, readdir, readFile, utimes } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { recordingClock } from "../../test/support/fake-clock.js";
import { tempSessionStore } from "../../test/support/temp-state.js";
import { silentLogger } from "../logging/index.js";
import { InboundMedia } from "../sandbox/index.js";
import type { HoldfastConfig } from "../config/index.js";
import type { SessionMeta } from "../sessions/index.js";
import { lastDailyReset, retentionPolicy } from "./policy.js";
import { runRetention } from "./retention.js";

const DAY = 86_400_000;
const opened: (() => Promise<void>)[] = [];
afterAll(() => Promise.all(opened.map((c) => c())));

async function setup(config: HoldfastConfig) {
  const clock = recordingClock();
  const s = await tempSessionStore({ clock });
  opened.push(s.close);
  const media = new InboundMedia(await mkdtemp(path.join(os.tmpdir(), "hf-media-")));
  const aborted: string[] = [];
  const deps = { sessions: s.store, media, abortSession: (k: string) => aborted.push(k), log: silentLogger() };
  const policy = retentionPolicy(config, { entry: (id) => config.agents?.list?.find((a) => a.id === id) });
  const say = async (key: string, n: number, at: number) => {
    for (let i = 0; i < n; i++) {
      clock.advance(at + i - clock.now());
      await s.store.append(key, { role: "user", content: `${key} #${i}`, timestamp: at + i });
    }
    await s.store.flush();
  };
  return { ...s, clock, media, deps, policy, aborted, say };
}

describe("retention sweep", () => {
  it("trims transcripts by maxMessages (per agent over defaults) and keeps the session", async () => {
    const t = await setup({
      agents: {
        defaults: { sessionPruning: { maxMessages: 3 } },
        list: [{ id: "work", sessionPruning: { maxMessages: 1 } }],
      },
    });
    const now = t.clock.now();
    await t.say("agent:main:a", 5, now - 1000);
    await t.say("agent:work:b", 2, now - 1000);
    await t.store.flush();
    const dry = await runRetention(t.deps, t.policy, { now, dryRun: true });
    expect(dry.transcripts).toEqual(
      expect.arrayContaining([
        { key: "agent:main:a", removedMessages: 2, keptMessages: 3 },
        { key: "agent:work:b", removedMessages: 1, keptMessages: 1 },
      ]),
    );
    expect((await t.store.history("agent:main:a", 0)).length).toBe(5);
    const done = await runRetention(t.deps, t.policy, { now });
    expect(done.transcripts.map((x) => x.key).sort()).toEqual(["agent:main:a", "agent:work:b"]);
    expect((await t.store.history("agent:main:a", 0)).map((m) => m.content)).toEqual([
      "agent:main:a #2",
      "agent:main:a #3",
      "agent:main:a #4",
    ]);
    expect((await t.store.get("agent:main:a"))?.messageCount).toBe(3);
    const meta = await t.store.get("agent:main:a");
    const text = await readFile(t.store.transcriptPath("main", meta?.sessionId as string), "utf8");
    expect(text.split("\n")[0]).toContain('"type":"session"');
    expect(text).not.toContain("#0");
    await t.say("agent:main:a", 1, now);
    expect((await t.store.history("agent:main:a", 0)).length).toBe(4);
  });

  it("drops messages older than maxAge", async () => {
    const t = await setup({ agents: { defaults: { sessionPruning: { maxAge: "2d" } } } });
    const now = t.clock.now();
    await t.say("agent:main:old", 2, now - 5 * DAY);
    await t.say("agent:main:old", 1, now - DAY);
    const r = await runRetention(t.deps, t.policy, { now });
    expect(r.transcripts).toEqual([{ key: "agent:main:old", removedMessages: 2, keptMessages: 1 }]);
  });

  it("archives sessions idle past pruneAfter and beyond maxEntries; warn mode keeps them", async () => {
    const config: HoldfastConfig = { session: { maintenance: { pruneAfter: "10d", maxEntries: 2 } } };
    const t = await setup(config);
    const now = t.clock.now();
    await t.say("agent:main:stale", 1, now - 11 * DAY);
    for (const k of ["x", "y", "z"]) await t.say(`agent:main:${k}`, 1, now - (k === "x" ? 3 : 1) * DAY);
    await t.store.flush();
    const warn = await runRetention(
      t.deps,
      retentionPolicy(
        { session: { maintenance: { ...config.session?.maintenance, mode: "warn" } } },
        { entry: () => undefined },
      ),
      { now },
    );
    expect(warn.sessions.every((s) => !s.applied)).toBe(true);
    expect((await t.store.list()).length).toBe(4);
    const r = await runRetention(t.deps, t.policy, { now });
    expect(r.sessions).toEqual([
      { key: "agent:main:stale", reason: "pruneAfter", archived: true, applied: true },
      { key: "agent:main:x", reason: "maxEntries", archived: true, applied: true },
    ]);
    expect(t.aborted).toEqual(["agent:main:stale", "agent:main:x"]);
    expect((await t.store.list()).map((s) => s.key).sort()).toEqual(["agent:main:y", "agent:main:z"]);
    expect((await t.store.archives()).length).toBe(2);
  });

  it("purges archives past their retention, and archives then oldest sessions past maxDiskBytes", async () => {
    const t = await setup({ session: { maintenance: { archiveRetention: "1d" } } });
    const now = t.clock.now();
    await t.say("agent:main:gone", 1, now - 3 * DAY);
    await t.store.delete("agent:main:gone");
    t.clock.advance(now - t.clock.now());
    await t.say("agent:main:old", 3, now);
    await t.say("agent:main:new", 3, now + 10);
    await t.store.flush();
    const newest = await t.store.transcriptBytes((await t.store.get("agent:main:new")) as SessionMeta);
    const policy = { ...t.policy, maxDiskBytes: newest + 50 };
    const r = await runRetention(t.deps, policy, { now: now + 100 });
    expect(r.archives).toEqual([expect.objectContaining({ reason: "archiveRetention", applied: true })]);
    expect(r.sessions).toEqual([{ key: "agent:main:old", reason: "maxDiskBytes", archived: false, applied: true }]);
    expect(await t.store.archives()).toEqual([]);
    const files = await readdir(path.join(t.agentsDir, "main", "sessions"));
    expect(files).toHaveLength(1);
  });

  it("deletes the state rows past their retention in a real sweep, in warn mode too, never in a dry run", async () => {
    const t = await setup({ session: { maintenance: { mode: "warn" } } });
    let calls = 0;
    const pruneRows = () => ({ runs: ++calls, outboxChunks: 2, inboundUpdates: 3 });
    const deps = { ...t.deps, pruneRows };
    const dry = await runRetention(deps, t.policy, { now: t.clock.now(), dryRun: true });
    expect(calls).toBe(0);
    expect(dry.rows).toBeUndefined();
    const r = await runRetention(deps, t.policy, { now: t.clock.now() });
    expect(r.rows).toEqual({ runs: 1, outboxChunks: 2, inboundUpdates: 3 });
    expect(calls).toBe(1);
  });

  it("resets sessions daily at atHour and when idle", async () => {
    const now = new Date(2027, 0, 10, 12, 0, 0).getTime();
    expect(lastDailyReset(now, 4)).toBe(new Date(2027, 0, 10, 4).getTime());
    expect(lastDailyReset(new Date(2027, 0, 10, 3).getTime(), 4)).toBe(new Date(2027, 0, 9, 4).getTime());
    const daily = await setup({ session: { reset: { mode: "daily", atHour: 4 } } });
    await daily.say("agent:main:yesterday", 1, new Date(2027, 0, 10, 3).getTime());
    await daily.say("agent:main:today", 1, new Date(2027, 0, 10, 5).getTime());
    const r = await runRetention(daily.deps, daily.policy, { now });
    expect(r.sessions).toEqual([{ key: "agent:main:yesterday", reason: "reset-daily", archived: true, applied: true }]);
    const idle = await setup({ session: { reset: { mode: "idle", idleMinutes: 30 } } });
    await idle.say("agent:main:quiet", 1, now - 31 * 60_000);
    await idle.say("agent:main:busy", 1, now - 60_000);
    expect((await runRetention(idle.deps, idle.policy, { now })).sessions.map((s) => s.key)).toEqual([
      "agent:main:quiet",
    ]);
  });

  it("removes inbound media older than mediaRetention (default 7 days)", async () => {
    const t = await setup({});
    const saved = await t.media.save({ agentId: "main", sessionKey: "agent:main:m" }, Buffer.from("img"), "png");
    const fresh = await t.media.save({ agentId: "main", sessionKey: "agent:main:m" }, Buffer.from("new"), "png");
    const old = (Date.now() - 8 * DAY) / 1000;
    await utimes(saved.hostPath, old, old);
    const r = await runRetention(t.deps, t.policy, { now: Date.now() });
    expect(r.media).toEqual([{ file: saved.hostPath, bytes: 3, applied: true }]);
    expect(await readFile(fresh.hostPath, "utf8")).toBe("new");
  });
});
