import { describe, expect, it } from "vitest";
import { flushAsync, manualClock, type ManualClock } from "../../test/support/fake-clock.js";
import { silentLogger } from "../logging/index.js";
import { SecretsSnapshot } from "../secrets/index.js";
import { ModelChain, type ChainEvent, type ModelChainOptions } from "./model-chain.js";
import { ProviderCatalog } from "./providers/catalog.js";
import { ProviderError } from "./providers/errors.js";
import type { ModelProvider, ModelRequest, StreamEvent } from "./providers/types.js";

/** A catalog whose providers are scripted fakes. */
function catalogWith(providers: Record<string, ModelProvider>): ProviderCatalog {
  const cat = new ProviderCatalog({}, new SecretsSnapshot(new Map()), {});
  (cat as unknown as { client: (id: string) => ModelProvider | undefined }).client = (id) => providers[id];
  return cat;
}

/** A provider answering each call with the next outcome: a failure, or a text reply. */
function scripted(id: string, outcomes: (ProviderError | string)[]): ModelProvider & { calls: number } {
  const p = {
    id,
    api: "openai-completions" as const,
    calls: 0,
    async *stream(): AsyncIterable<StreamEvent> {
      const o = outcomes[Math.min(p.calls++, outcomes.length - 1)];
      if (o instanceof ProviderError) throw o;
      yield { type: "text", text: o as string };
      yield { type: "done", stopReason: "stop" };
    },
  };
  return p;
}

/** A provider scripted as a timeline: wait (ms on the clock), emit events, then hang or end. */
function timeline(
  clock: ManualClock,
  steps: ({ waitMs: number } | StreamEvent | "hang")[],
): ModelProvider & { calls: number; signals: AbortSignal[] } {
  const p = {
    id: "t",
    api: "openai-completions" as const,
    calls: 0,
    signals: [] as AbortSignal[],
    async *stream(req: ModelRequest): AsyncIterable<StreamEvent> {
      p.calls++;
      p.signals.push(req.signal);
      for (const s of steps) {
        // "hang" ignores the abort signal on purpose: the chain must not depend on the provider honouring it.
        if (s === "hang") await new Promise(() => undefined);
        else if ("waitMs" in s) await clock.sleep(s.waitMs);
        else yield s;
      }
    },
  };
  return p;
}

interface Outcome {
  readonly text: string;
  readonly events: ChainEvent[];
  readonly error?: { code: string; message: string; details?: unknown };
  /** Clock time the call took (ms). */
  readonly elapsedMs: number;
}

function chainOf(providers: Record<string, ModelProvider>, clock: ManualClock, extra: Partial<ModelChainOptions> = {}) {
  return new ModelChain({ catalog: catalogWith(providers), clock, log: silentLogger(), ...extra });
}

/** Runs a chained call to the end, moving the manual clock whenever nothing else can happen. */
async function run(chain: ModelChain, refs: string[], clock: ManualClock): Promise<Outcome> {
  const started = clock.now();
  const events: ChainEvent[] = [];
  let text = "";
  let settled = false;
  const done = (async () => {
    for await (const ev of chain.stream(refs, {
      system: "",
      messages: [],
      tools: [],
      signal: new AbortController().signal,
    })) {
      events.push(ev);
      if (ev.type === "text") text += ev.text;
      if (ev.type === "model") text += `[${ev.ref}]`;
    }
  })().then(
    () => undefined,
    (err: { code: string; message: string; details?: unknown }) => err,
  );
  void done.finally(() => (settled = true));
  for (let i = 0; i < 200 && !settled; i++) {
    await flushAsync();
    if (!settled && !(await clock.next())) break;
  }
  const error = await done;
  return { text, events, elapsedMs: clock.now() - started, ...(error ? { error } : {}) };
}

const retries = (o: Outcome) => o.events.filter((e) => e.type === "retry");

describe("model chain: retry and failover", () => {
  it("retries 429, 5xx and network failures with backoff 0.5 s, 1 s, 2 s, reporting each retry", async () => {
    const clock = manualClock();
    const a = scripted("a", [
      new ProviderError("rate_limit", "429", { status: 429 }),
      new ProviderError("server", "503", { status: 503 }),
      new ProviderError("network", "reset"),
      "ok",
    ]);
    const out = await run(chainOf({ a }, clock), ["a/m"], clock);
    expect(out.text).toBe("[a/m]ok");
    expect(retries(out).map((r) => [r.type === "retry" && r.retry, r.type === "retry" && r.delayMs])).toEqual([
      [1, 500],
      [2, 1000],
      [3, 2000],
    ]);
    expect(retries(out)[0]).toMatchObject({ ref: "a/m", maxRetries: 5, code: "HF_PROVIDER_RATE_LIMIT" });
  });

  it("caps the backoff at 8 s, then fails over to the fallback and says so", async () => {
    const clock = manualClock();
    const a = scripted("a", [new ProviderError("server", "500", { status: 500 })]);
    const b = scripted("b", ["from b"]);
    const out = await run(chainOf({ a, b }, clock), ["a/m", "b/m"], clock);
    expect(out.text).toBe("[b/m]from b");
    expect(retries(out).map((r) => r.type === "retry" && r.delayMs)).toEqual([500, 1000, 2000, 4000, 8000]);
    expect(out.events).toContainEqual({ type: "failover", from: "a/m", to: "b/m", code: "HF_PROVIDER_UNAVAILABLE" });
    expect(a.calls).toBe(6);
  });

  it("fails over at once on 401/403", async () => {
    const clock = manualClock();
    const a = scripted("a", [new ProviderError("auth", "401", { status: 401 })]);
    const b = scripted("b", ["fallback"]);
    const out = await run(chainOf({ a, b }, clock), ["a/m", "b/m"], clock);
    expect(out.text).toBe("[b/m]fallback");
    expect(retries(out)).toEqual([]);
    expect(a.calls).toBe(1);
  });

  it("does not retry a 400 and reports the last failure with a catalogue code", async () => {
    const clock = manualClock();
    const a = scripted("a", [new ProviderError("bad_request", "a answered HTTP 400", { status: 400 })]);
    expect((await run(chainOf({ a }, clock), ["a/m"], clock)).error).toMatchObject({ code: "HF_PROVIDER_REFUSED" });
    const x = scripted("x", [new ProviderError("auth", "401", { status: 401 })]);
    expect((await run(chainOf({ x }, clock), ["x/m"], clock)).error).toMatchObject({ code: "HF_PROVIDER_AUTH" });
  });

  it("tells a provider that refused from one that could not be reached (distinct catalogue codes)", async () => {
    const codeOf = async (e: ProviderError) => {
      const clock = manualClock();
      const out = await run(chainOf({ a: scripted("a", [e]) }, clock), ["a/m"], clock);
      return [out.error?.code, out.error?.details];
    };
    expect(await codeOf(new ProviderError("bad_request", "a answered HTTP 404", { status: 404 }))).toEqual([
      "HF_PROVIDER_REFUSED",
      { status: 404 },
    ]);
    expect(
      await codeOf(new ProviderError("network", "a could not be reached (ECONNREFUSED)", { errno: "ECONNREFUSED" })),
    ).toEqual(["HF_PROVIDER_NETWORK", { errno: "ECONNREFUSED" }]);
    expect(await codeOf(new ProviderError("server", "a answered HTTP 503", { status: 503 }))).toEqual([
      "HF_PROVIDER_UNAVAILABLE",
      { status: 503 },
    ]);
  });

  it("names the model, the cause and the attempts, and the models tried before", async () => {
    const clock = manualClock();
    const a = scripted("a", [new ProviderError("auth", "a at http://h/v1 answered HTTP 401", { status: 401 })]);
    const b = scripted("b", [
      new ProviderError("network", "b at http://127.0.0.1:1 could not be reached (ECONNREFUSED)"),
    ]);
    const out = await run(chainOf({ a, b }, clock), ["a/m", "b/m"], clock);
    expect(out.error?.code).toBe("HF_PROVIDER_NETWORK");
    expect(out.error?.message).toBe(
      "b/m: b at http://127.0.0.1:1 could not be reached (ECONNREFUSED) after 6 attempts; also tried a/m (HF_PROVIDER_AUTH)",
    );
  });

  it("never retries after output has streamed", async () => {
    let calls = 0;
    const flaky: ModelProvider = {
      id: "f",
      api: "openai-completions",
      async *stream() {
        calls++;
        yield { type: "text", text: "partial" };
        throw new ProviderError("server", "dropped", { status: 502 });
      },
    };
    const clock = manualClock();
    const out = await run(chainOf({ f: flaky, b: scripted("b", ["never"]) }, clock), ["f/m", "b/m"], clock);
    expect(out.error).toMatchObject({ code: "HF_PROVIDER_UNAVAILABLE" });
    expect(out.text).toBe("[f/m]partial");
    expect(calls).toBe(1);
  });

  it("rejects malformed model refs", async () => {
    const clock = manualClock();
    expect((await run(chainOf({}, clock), ["no-slash"], clock)).error).toMatchObject({ code: "HF_MODEL_REF_INVALID" });
  });
});

describe("model chain: Retry-After", () => {
  it("waits what the provider asked for instead of the backoff", async () => {
    const clock = manualClock();
    const a = scripted("a", [
      new ProviderError("rate_limit", "429", { status: 429, retryAfterMs: 2_500 }),
      new ProviderError("server", "503", { status: 503, retryAfterMs: 0 }),
      "ok",
    ]);
    const out = await run(chainOf({ a }, clock), ["a/m"], clock);
    expect(out.text).toBe("[a/m]ok");
    expect(retries(out).map((r) => r.type === "retry" && r.delayMs)).toEqual([2_500, 0]);
  });

  it("fails over at once when the provider asks for more than the cap, and says how long it asked", async () => {
    const clock = manualClock();
    const limited = new ProviderError("rate_limit", "a answered HTTP 429 (rate limited)", {
      status: 429,
      retryAfterMs: 120_000,
    });
    const out = await run(chainOf({ a: scripted("a", [limited]) }, clock), ["a/m"], clock);
    expect(out.error?.code).toBe("HF_PROVIDER_RATE_LIMIT");
    expect(out.error?.message).toContain("it asked to retry after 120 s");
    expect(retries(out)).toEqual([]);
    expect(out.elapsedMs).toBe(0);
    const b = scripted("b", ["from b"]);
    const fell = await run(chainOf({ a: scripted("a", [limited]), b }, clock), ["a/m", "b/m"], clock);
    expect(fell.text).toBe("[b/m]from b");
  });
});

describe("model chain: bounded calls", () => {
  const limits = { timeoutMs: 30_000, idleTimeoutMs: 5_000 };

  it("gives up on a provider that never answers after timeoutMs (even one that ignores the abort) and fails over", async () => {
    const clock = manualClock();
    const hang = timeline(clock, ["hang"]);
    const b = scripted("b", ["from b"]);
    const out = await run(chainOf({ t: hang, b }, clock, limits), ["t/m", "b/m"], clock);
    expect(out.text).toBe("[b/m]from b");
    expect(out.elapsedMs).toBe(30_000);
    expect(hang.calls).toBe(1);
    expect(hang.signals[0]?.aborted).toBe(true);
    expect(out.events).toContainEqual({ type: "failover", from: "t/m", to: "b/m", code: "HF_PROVIDER_TIMEOUT" });
  });

  it("reports HF_PROVIDER_TIMEOUT naming the setting when no fallback is left", async () => {
    const clock = manualClock();
    const out = await run(chainOf({ t: timeline(clock, ["hang"]) }, clock, limits), ["t/m"], clock);
    expect(out.error?.code).toBe("HF_PROVIDER_TIMEOUT");
    expect(out.error?.message).toMatch(/did not finish within 30 s \(agents\.defaults\.timeoutSeconds\)/);
  });

  it("cuts a stream that stalls mid-reply after idleTimeoutMs and keeps what streamed (no failover)", async () => {
    const clock = manualClock();
    const stall = timeline(clock, [{ type: "text", text: "half an ans" }, "hang"]);
    const b = scripted("b", ["never"]);
    const out = await run(chainOf({ t: stall, b }, clock, limits), ["t/m", "b/m"], clock);
    expect(out.text).toBe("[t/m]half an ans");
    expect(out.error?.code).toBe("HF_PROVIDER_TIMEOUT");
    expect(out.error?.message).toMatch(/stalled: nothing streamed for 5 s/);
    expect(out.elapsedMs).toBe(5_000);
    expect(b.calls).toBe(0);
  });

  it("lets a slow but steady stream run past the idle limit, and still bounds the whole call", async () => {
    const clock = manualClock();
    const steps: ({ waitMs: number } | StreamEvent)[] = [];
    for (let i = 0; i < 5; i++) steps.push({ waitMs: 4_000 }, { type: "text", text: `${i}` });
    steps.push({ type: "done", stopReason: "stop" });
    const out = await run(chainOf({ t: timeline(clock, steps) }, clock, limits), ["t/m"], clock);
    expect(out.error).toBeUndefined();
    expect(out.text).toBe("[t/m]01234");
    const long: ({ waitMs: number } | StreamEvent)[] = [];
    for (let i = 0; i < 20; i++) long.push({ waitMs: 4_000 }, { type: "text", text: "x" });
    const cut = await run(chainOf({ t: timeline(clock, long) }, clock, limits), ["t/m"], clock);
    expect(cut.error?.code).toBe("HF_PROVIDER_TIMEOUT");
    expect(cut.elapsedMs).toBe(30_000);
  });

  it("does not arm the idle limit on heartbeats before the reply starts (a model may think first)", async () => {
    const clock = manualClock();
    const steps: ({ waitMs: number } | StreamEvent)[] = [{ type: "heartbeat" }, { waitMs: 20_000 }];
    steps.push({ type: "text", text: "thought about it" }, { type: "done", stopReason: "stop" });
    const out = await run(chainOf({ t: timeline(clock, steps) }, clock, limits), ["t/m"], clock);
    expect(out.error).toBeUndefined();
    expect(out.text).toBe("[t/m]thought about it");
    expect(out.events.some((e) => (e as { type: string }).type === "heartbeat")).toBe(false);
  });

  it("arms the idle limit at the first text after a long think, and cuts a stall exactly then", async () => {
    const clock = manualClock();
    const steps: ({ waitMs: number } | StreamEvent | "hang")[] = [
      { waitMs: 12_500 },
      { type: "text", text: "late" },
      "hang",
    ];
    const out = await run(chainOf({ t: timeline(clock, steps) }, clock, limits), ["t/m"], clock);
    expect(out.text).toBe("[t/m]late");
    expect(out.error?.message).toMatch(/stalled: nothing streamed for 5 s/);
    expect(out.elapsedMs).toBe(17_500);
  });

  it("counts heartbeats once the reply has started (tool arguments streaming)", async () => {
    const clock = manualClock();
    const steps: ({ waitMs: number } | StreamEvent)[] = [{ type: "text", text: "writing the file" }];
    for (let i = 0; i < 4; i++) steps.push({ waitMs: 4_000 }, { type: "heartbeat" });
    steps.push({ type: "done", stopReason: "stop" });
    const out = await run(chainOf({ t: timeline(clock, steps) }, clock, limits), ["t/m"], clock);
    expect(out.error).toBeUndefined();
  });

  it("treats a reply with neither text nor tool calls as a bad response and fails over", async () => {
    const clock = manualClock();
    const empty = timeline(clock, [{ type: "heartbeat" }, { type: "done", stopReason: "stop" }]);
    const out = await run(chainOf({ t: empty }, clock, limits), ["t/m"], clock);
    expect(out.error?.code).toBe("HF_PROVIDER_BAD_RESPONSE");
    expect(out.error?.message).toMatch(/empty reply/);
    expect(empty.calls).toBe(1);
    const b = scripted("b", ["from b"]);
    const fell = await run(
      chainOf({ t: timeline(clock, [{ type: "done", stopReason: "stop" }]), b }, clock),
      ["t/m", "b/m"],
      clock,
    );
    expect(fell.text).toBe("[b/m]from b");
  });

  it("ends at once with HF_RUN_ABORTED when the run is aborted during a hang", async () => {
    const clock = manualClock();
    const ctl = new AbortController();
    const hang = timeline(clock, ["hang"]);
    const chain = chainOf({ t: hang }, clock, limits);
    const consumed = (async () => {
      for await (const _ of chain.stream(["t/m"], { system: "", messages: [], tools: [], signal: ctl.signal }));
    })().catch((err: { code: string }) => err.code);
    await flushAsync();
    expect(hang.calls).toBe(1);
    ctl.abort();
    expect(await consumed).toBe("HF_RUN_ABORTED");
    expect(clock.now() - 1_800_000_000_000).toBe(0);
  });
});
