import { describe, expect, it } from "vitest";
import { tempSessionStore } from "../../test/support/temp-state.js";
import { HoldfastError } from "../errors/index.js";
import { silentLogger } from "../logging/index.js";
import { RunManager, type AgentLoop, type AgentRunRequest } from "./index.js";

/** A loop that answers `re: <message>` and counts its calls (a stand-in for the model). */
function countingLoop() {
  const calls: AgentRunRequest[] = [];
  const loop: Pick<AgentLoop, "run"> = {
    async run(req) {
      calls.push(req);
      req.onEvent({ type: "final", text: `re: ${req.message} sk-secret`, stopReason: "stop" });
    },
  };
  return { loop, calls };
}

describe("run manager ledger", () => {
  it("commits the user message before returning and answers a same-key retry after a restart from the ledger", async () => {
    const s = await tempSessionStore();
    const first = countingLoop();
    const redact = (t: string) => t.replaceAll("sk-secret", "***");
    const a = new RunManager({ loop: first.loop, now: () => 5, log: silentLogger(), ledger: s.state.runs, redact });
    const run = a.start({
      agentId: "main",
      sessionKey: "agent:main:main",
      message: "hi sk-secret",
      idempotencyKey: "k1",
    });
    expect(s.state.runs.get(run.runId)).toMatchObject({
      status: "accepted",
      message: { role: "user", content: "hi ***", runId: run.runId, timestamp: 5 },
    });
    await run.done;
    expect(first.calls[0]?.user).toMatchObject({ content: "hi sk-secret", runId: run.runId });
    const second = countingLoop();
    const b = new RunManager({ loop: second.loop, now: () => 9, log: silentLogger(), ledger: s.state.runs, redact });
    const retry = b.start({
      agentId: "main",
      sessionKey: "agent:main:main",
      message: "hi sk-secret",
      idempotencyKey: "k1",
    });
    expect(retry).toMatchObject({ runId: run.runId, deduped: true, status: "ok", outcome: { text: "re: hi *** ***" } });
    expect(second.calls).toEqual([]);
    await s.close();
  });

  it("keeps the text a failed run had shown in its ledger outcome (redacted)", async () => {
    const s = await tempSessionStore();
    const loop: Pick<AgentLoop, "run"> = {
      async run(req) {
        req.onEvent({ type: "error", message: "stalled", code: "HF_PROVIDER_TIMEOUT", partialText: "half sk-secret" });
      },
    };
    const redact = (t: string) => t.replaceAll("sk-secret", "***");
    const runs = new RunManager({ loop, now: () => 5, log: silentLogger(), ledger: s.state.runs, redact });
    const run = runs.start({ agentId: "main", sessionKey: "agent:main:main", message: "hi", idempotencyKey: "p1" });
    await run.done;
    expect(s.state.runs.get(run.runId)).toMatchObject({
      status: "error",
      outcome: { code: "HF_PROVIDER_TIMEOUT", message: "stalled", text: "half ***" },
    });
    await s.close();
  });

  it("reports a run the ledger holds open from a dead process as interrupted", async () => {
    const s = await tempSessionStore();
    s.state.runs.admit({ runId: "old", sessionKey: "agent:main:main", idempotencyKey: "k", message: {} });
    const { loop, calls } = countingLoop();
    const m = new RunManager({ loop, now: () => 1, log: silentLogger(), ledger: s.state.runs });
    expect(
      m.start({ agentId: "main", sessionKey: "agent:main:main", message: "x", idempotencyKey: "k" }),
    ).toMatchObject({
      runId: "old",
      status: "interrupted",
      deduped: true,
    });
    expect(calls).toEqual([]);
    await s.close();
  });

  it("accepts nothing when the ledger cannot commit", async () => {
    const full = new HoldfastError("HF_STATE_DISK_FULL", "saving the message failed: the disk is full (SQLITE_FULL)");
    const { loop, calls } = countingLoop();
    const m = new RunManager({
      loop,
      now: () => 1,
      log: silentLogger(),
      ledger: {
        admit: () => {
          throw full;
        },
        admitDeferred: () => {
          throw full;
        },
        admitGrouped: () => Promise.reject(full),
        finish: () => true,
        get: () => undefined,
      },
    });
    expect(() => m.start({ agentId: "main", sessionKey: "agent:main:main", message: "x" })).toThrow(full);
    expect(() => m.start({ agentId: "main", sessionKey: "agent:main:main", message: "q", queued: true })).toThrow(full);
    await expect(m.startGrouped({ agentId: "main", sessionKey: "agent:main:main", message: "y" })).rejects.toBe(full);
    expect(m.active()).toBe(0);
    expect(calls).toEqual([]);
  });

  it("admits messages arriving together in one group commit and starts each run only once it is committed", async () => {
    const s = await tempSessionStore();
    const { loop, calls } = countingLoop();
    const m = new RunManager({ loop, now: () => 3, log: silentLogger(), ledger: s.state.runs });
    const send = (sessionKey: string, idempotencyKey: string) =>
      m.startGrouped({ agentId: "main", sessionKey, message: idempotencyKey, idempotencyKey });
    const pending = [
      send("agent:main:a", "k1"),
      send("agent:main:a", "k1"),
      send("agent:main:b", "k1"),
      send("agent:main:b", "k2"),
    ];
    expect(s.state.runs.get("k1")).toBeUndefined();
    expect(calls).toEqual([]);
    const [first, repeat, otherSession, second] = await Promise.all(pending);
    expect(first).toMatchObject({ runId: "k1", deduped: false, status: "started" });
    expect(repeat).toMatchObject({ runId: "k1", deduped: true });
    expect(otherSession?.runId).not.toBe("k1");
    expect(otherSession?.deduped).toBe(false);
    expect(second).toMatchObject({ runId: "k2", deduped: false });
    await Promise.all([first?.done, otherSession?.done, second?.done]);
    expect(calls.map((c) => [c.sessionKey, c.message])).toEqual([
      ["agent:main:a", "k1"],
      ["agent:main:b", "k1"],
      ["agent:main:b", "k2"],
    ]);
    expect(s.state.runs.ofSession("agent:main:b").map((r) => r.status)).toEqual(["ok", "ok"]);
    await s.close();
  });

  it("picks a grouped run's id at its commit, so a run started meanwhile keeps a key as its id alone", async () => {
    const s = await tempSessionStore();
    const { loop } = countingLoop();
    const m = new RunManager({ loop, now: () => 3, log: silentLogger(), ledger: s.state.runs });
    const grouped = m.startGrouped({ agentId: "main", sessionKey: "agent:main:g", message: "g", idempotencyKey: "k" });
    const direct = m.start({ agentId: "main", sessionKey: "agent:main:d", message: "d", idempotencyKey: "k" });
    expect(direct.runId).toBe("k");
    const later = await grouped;
    expect(later.runId).not.toBe("k");
    expect(later.deduped).toBe(false);
    await Promise.all([direct.done, later.done]);
    expect(s.state.runs.get(later.runId)).toMatchObject({
      sessionKey: "agent:main:g",
      idempotencyKey: "k",
      status: "ok",
    });
    expect(s.state.runs.get(later.runId)?.message).toMatchObject({ runId: later.runId });
    await s.close();
  });
});
