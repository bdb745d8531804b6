import { describe, expect, it } from "vitest";
import type { RunEvent, StartRunInput } from "../../agent/index.js";
import type { MethodContext } from "../../gateway/index.js";
import { silentLogger } from "../../logging/index.js";
import type { SessionMeta } from "../../sessions/index.js";
import { agentMethod } from "./agent-method.js";

type Script = (input: StartRunInput, emit: (e: RunEvent["event"]) => void) => Promise<void>;

/** A run manager stand-in: runs `script` with the run's event sink; the run id is the idempotency key. */
function fakeRuns(script: Script) {
  const started: StartRunInput[] = [];
  const aborted: string[] = [];
  return {
    started,
    aborted,
    async startGrouped(input: StartRunInput) {
      started.push(input);
      const runId = input.idempotencyKey ?? `run-${started.length}`;
      let seq = 0;
      const emit = (event: RunEvent["event"]) =>
        input.onEvent?.({ runId, agentId: input.agentId, sessionKey: input.sessionKey, seq: ++seq, event });
      await Promise.resolve();
      return { runId, status: "started" as const, deduped: false, done: script(input, emit) };
    },
    abort(t: { runId?: string }) {
      aborted.push(t.runId ?? "");
      return 1;
    },
  };
}

const meta: SessionMeta = {
  key: "agent:main:main",
  sessionId: "s-1",
  agentId: "main",
  createdAt: 1,
  updatedAt: 2,
  messageCount: 2,
};
const store = { list: async () => [meta], get: async () => meta };

function call(runs: ReturnType<typeof fakeRuns>, params: Record<string, unknown>) {
  const accepted: unknown[] = [];
  const ctx = {
    conn: {} as MethodContext["conn"],
    log: silentLogger(),
    sendEvent: () => undefined,
    accept: (p: unknown) => accepted.push(p),
  } satisfies MethodContext;
  let t = 1_000;
  const def = agentMethod({ runs, store, agentIds: () => ["main", "work"], now: () => (t += 5) });
  const parsed = def.params.parse(params);
  return { accepted, result: Promise.resolve(def.handler(parsed, ctx)) };
}

describe("the agent method (answered twice on one request id)", () => {
  it("accepts at once, then answers with the reply; runId is the idempotency key", async () => {
    const runs = fakeRuns(async (_i, emit) => {
      emit({ type: "delta", text: "po", accumulated: "po" });
      emit({ type: "final", text: "pong", stopReason: "stop", model: "mock/mock-model" });
    });
    const { accepted, result } = call(runs, { message: "ping", agentId: "main", idempotencyKey: "k-1", timeout: 600 });
    const final = await result;
    expect(accepted).toEqual([
      {
        runId: "k-1",
        sessionKey: "agent:main:main",
        agentId: "main",
        status: "accepted",
        acceptedAt: expect.any(Number),
      },
    ]);
    expect(final).toEqual({
      runId: "k-1",
      status: "ok",
      summary: "completed",
      result: {
        payloads: [{ text: "pong", mediaUrl: null }],
        meta: {
          durationMs: expect.any(Number),
          agentMeta: { sessionId: "s-1", provider: "mock", model: "mock-model" },
        },
      },
    });
    expect(runs.started[0]).toMatchObject({ agentId: "main", sessionKey: "agent:main:main", message: "ping" });
  });

  it("targets a session key, a session id, or another agent's main session", async () => {
    const runs = fakeRuns(async (_i, emit) => emit({ type: "final", text: "x", stopReason: "stop" }));
    await call(runs, { message: "a", sessionKey: "demo" }).result;
    await call(runs, { message: "b", sessionId: "s-1" }).result;
    await call(runs, { message: "c", agentId: "work" }).result;
    expect(runs.started.map((s) => s.sessionKey)).toEqual(["agent:main:demo", "agent:main:main", "agent:work:main"]);
    await expect(call(runs, { message: "d", sessionId: "nope" }).result).rejects.toMatchObject({
      code: "HF_SESSION_NOT_FOUND",
    });
    await expect(call(runs, { message: "e", agentId: "ghost" }).result).rejects.toMatchObject({
      code: "HF_SESSION_KEY_INVALID",
    });
  });

  it("ends a failed run with the run's own error (reference error shape), an abort with status aborted", async () => {
    const failing = fakeRuns(async (_i, emit) =>
      emit({ type: "error", message: "no model configured", code: "HF_NO_MODEL" }),
    );
    await expect(call(failing, { message: "x" }).result).rejects.toMatchObject({
      code: "HF_NO_MODEL",
      details: { runId: "run-1" },
    });
    const aborted = fakeRuns(async (_i, emit) => emit({ type: "error", message: "aborted", code: "HF_RUN_ABORTED" }));
    await expect(call(aborted, { message: "x" }).result).resolves.toMatchObject({ status: "aborted" });
  });

  it("aborts the run after `timeout` seconds and answers status timeout", async () => {
    let finish: () => void = () => undefined;
    const runs = fakeRuns(() => new Promise<void>((r) => (finish = r)));
    runs.abort = (t) => {
      runs.aborted.push(t.runId ?? "");
      finish();
      return 1;
    };
    const { result } = call(runs, { message: "slow", timeout: 0.05, idempotencyKey: "k-slow" });
    await expect(result).resolves.toMatchObject({ runId: "k-slow", status: "timeout" });
    expect(runs.aborted).toEqual(["k-slow"]);
  });

  it("refuses what it does not do instead of ignoring it", async () => {
    const runs = fakeRuns(async () => undefined);
    for (const extra of [{ deliver: true }, { to: "+100" }, { channel: "telegram" }, { model: "x/y" }])
      await expect(call(runs, { message: "x", ...extra }).result).rejects.toMatchObject({
        code: "HF_UNSUPPORTED_PARAMS",
      });
    expect(runs.started).toEqual([]);
  });
});
