import { describe, expect, it } from "vitest";
import { captureLogger } from "../../test/support/capture-log.js";
import { openTempStore, tempStateDir } from "../../test/support/temp-state.js";
import { RunLedger, StateDb, StorageHealth, stateDbPath } from "./index.js";

describe("run ledger", () => {
  it("returns the first run for a repeated idempotency key, across a reopen", async () => {
    const dirs = tempStateDir();
    const a = await openTempStore(dirs);
    const first = a.runs.admit({
      runId: "r1",
      sessionKey: "agent:main:main",
      idempotencyKey: "k",
      message: { content: "hi" },
    });
    expect(first).toMatchObject({ fresh: true, run: { runId: "r1", status: "accepted", message: { content: "hi" } } });
    a.runs.markRunning("r1");
    expect(a.runs.finish("r1", "ok", { text: "hello" })).toBe(true);
    a.close();
    const b = await openTempStore(dirs);
    const again = b.runs.admit({
      runId: "r2",
      sessionKey: "agent:main:main",
      idempotencyKey: "k",
      message: { content: "hi" },
    });
    expect(again).toMatchObject({ fresh: false, run: { runId: "r1", status: "ok", outcome: { text: "hello" } } });
    expect(b.runs.get("r2")).toBeUndefined();
    expect(b.runs.admit({ runId: "r3", sessionKey: "agent:main:other", idempotencyKey: "k", message: {} }).fresh).toBe(
      true,
    );
    b.close();
  });

  it("answers an admission with the row as stored, and a deferred-sync admission deduplicates like a durable one", async () => {
    const dirs = tempStateDir();
    const a = await openTempStore(dirs);
    const input = { sessionKey: "agent:main:tg", idempotencyKey: "telegram:default:1:7", origin: { channel: "x" } };
    const first = a.runs.admitDeferred({ ...input, runId: "d1", message: { content: "queued" } });
    expect(first.fresh).toBe(true);
    expect(first.run).toEqual(a.runs.get("d1"));
    expect(a.runs.admit({ ...input, runId: "d2", message: { content: "again" } })).toMatchObject({
      fresh: false,
      run: { runId: "d1", message: { content: "queued" } },
    });
    a.close();
    const b = await openTempStore(dirs);
    expect(b.runs.admitDeferred({ ...input, runId: "d3", message: {} })).toMatchObject({
      fresh: false,
      run: { runId: "d1", status: "accepted", origin: { channel: "x" } },
    });
    b.close();
  });
  it("marks runs left open by a dead process as interrupted, oldest first, and keeps their first outcome", async () => {
    const dirs = tempStateDir();
    const s = await openTempStore(dirs);
    s.runs.admit({ runId: "a", sessionKey: "agent:main:x", message: { content: "1" } });
    s.runs.admit({
      runId: "b",
      sessionKey: "agent:main:x",
      message: { content: "2" },
      origin: { channel: "telegram" },
    });
    s.runs.admit({ runId: "c", sessionKey: "agent:main:y", message: { content: "3" } });
    s.runs.markRunning("a");
    s.runs.finish("c", "error", { code: "HF_PROVIDER_UNAVAILABLE" });
    s.close();
    const t = await openTempStore(dirs);
    const gone = t.runs.interruptOpen("the gateway stopped before the reply was complete");
    expect(gone.map((r) => [r.runId, r.status])).toEqual([
      ["a", "interrupted"],
      ["b", "interrupted"],
    ]);
    expect(gone[1]?.origin).toEqual({ channel: "telegram" });
    expect(t.runs.open()).toEqual([]);
    expect(t.runs.finish("a", "ok", { text: "late" })).toBe(false);
    expect(t.runs.get("a")).toMatchObject({ status: "interrupted", outcome: { code: "HF_RUN_INTERRUPTED" } });
    expect(t.runs.ofSession("agent:main:x").map((r) => r.runId)).toEqual(["b", "a"]);
    t.close();
  });

  it("prunes finished runs past retention and never open ones", async () => {
    let now = 1_000_000;
    const s = await openTempStore(tempStateDir(), { now: () => now });
    s.runs.admit({ runId: "old", sessionKey: "k", idempotencyKey: "1", message: {} });
    s.runs.finish("old", "ok", {});
    s.runs.admit({ runId: "open", sessionKey: "k", idempotencyKey: "2", message: {} });
    now += 10_000;
    expect(s.runs.prune(5_000)).toBe(1);
    expect(s.runs.get("open")).toBeDefined();
    s.close();
  });
});

describe("run ledger: a group commit whose fsync fails", () => {
  it("takes its admissions back, so a retry with the same key is admitted afresh", async () => {
    const { stateDir } = tempStateDir();
    const log = captureLogger();
    const health = new StorageHealth(log.log);
    let failures = 1;
    const logSync = {
      durable: () =>
        failures-- > 0
          ? Promise.reject(Object.assign(new Error("EIO: i/o error, fsync"), { code: "EIO" }))
          : Promise.resolve(),
      close: () => undefined,
    };
    const db = StateDb.open({ file: stateDbPath(stateDir), log: log.log, health, logSync });
    const runs = new RunLedger(db);
    const input = { sessionKey: "agent:main:main", idempotencyKey: "k1", message: { content: "hi" } };
    const [a, b] = await Promise.allSettled([
      runs.admitGrouped({ ...input, runId: "r1" }),
      runs.admitGrouped({ ...input, idempotencyKey: "k2", runId: "r2" }),
    ]);
    expect(a).toMatchObject({ status: "rejected", reason: { code: "HF_STATE_IO" } });
    expect(b).toMatchObject({ status: "rejected", reason: { code: "HF_STATE_IO" } });
    expect(runs.get("r1")).toBeUndefined();
    expect(runs.get("r2")).toBeUndefined();
    expect(runs.open()).toEqual([]);
    expect(log.lines).toContainEqual(expect.objectContaining({ store: "state-db", code: "HF_STATE_IO", level: 50 }));
    const retry = await runs.admitGrouped({ ...input, runId: "r1" });
    expect(retry).toMatchObject({ fresh: true, run: { runId: "r1", status: "accepted" } });
    db.close();
  });
});
