import { describe, expect, it } from "vitest";
import { recordingClock } from "../../test/support/fake-clock.js";
import { silentLogger } from "../logging/index.js";
import { SecretsSnapshot } from "../secrets/index.js";
import { ModelChain } from "./model-chain.js";
import { ProviderCatalog } from "./providers/catalog.js";
import { ProviderError } from "./providers/errors.js";
import type { ModelProvider, StreamEvent } from "./providers/types.js";

/** A catalog whose providers are scripted fakes. */
function catalogWith(providers: Record<string, ModelProvider>): ProviderCatalog {
  const cat = new ProviderCatalog({}, new SecretsSnapshot(new Map()), {});
  (cat as unknown as { client: (id: string) => ModelProvider | undefined }).client = (id) => providers[id];
  return cat;
}

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

async function run(chain: ModelChain, refs: string[]): Promise<string> {
  let text = "";
  for await (const ev of chain.stream(refs, {
    system: "",
    messages: [],
    tools: [],
    signal: new AbortController().signal,
  })) {
    if (ev.type === "text") text += ev.text;
    if (ev.type === "model") text += `[${ev.ref}]`;
  }
  return text;
}

describe("model chain: retry and failover", () => {
  it("retries 429 and 5xx with backoff 0.5 s, 1 s, 2 s before succeeding", async () => {
    const clock = recordingClock();
    const a = scripted("a", [
      new ProviderError("rate_limit", "429", 429),
      new ProviderError("server", "503", 503),
      new ProviderError("network", "reset"),
      "ok",
    ]);
    const chain = new ModelChain({ catalog: catalogWith({ a }), clock, log: silentLogger() });
    expect(await run(chain, ["a/m"])).toBe("[a/m]ok");
    expect(clock.sleeps).toEqual([500, 1000, 2000]);
  });

  it("caps the backoff at 8 s and then fails over to the fallback", async () => {
    const clock = recordingClock();
    const a = scripted("a", [new ProviderError("server", "500", 500)]);
    const b = scripted("b", ["from b"]);
    const chain = new ModelChain({ catalog: catalogWith({ a, b }), clock, log: silentLogger() });
    expect(await run(chain, ["a/m", "b/m"])).toBe("[b/m]from b");
    expect(clock.sleeps).toEqual([500, 1000, 2000, 4000, 8000]);
    expect(a.calls).toBe(6);
  });

  it("retries a refused connection once and says where, why and after how many attempts", async () => {
    const clock = recordingClock();
    const refused = new ProviderError(
      "network",
      "local could not be reached at http://127.0.0.1:9/v1 (ECONNREFUSED)",
      undefined,
      {
        url: "http://127.0.0.1:9/v1",
        errno: "ECONNREFUSED",
      },
    );
    const a = scripted("local", [refused]);
    const chain = new ModelChain({ catalog: catalogWith({ local: a }), clock, log: silentLogger() });
    await expect(run(chain, ["local/m"])).rejects.toMatchObject({
      code: "HF_PROVIDER_NETWORK",
      message: "local could not be reached at http://127.0.0.1:9/v1 (ECONNREFUSED), after 2 attempts",
      details: { url: "http://127.0.0.1:9/v1", errno: "ECONNREFUSED" },
    });
    expect(clock.sleeps).toEqual([500]);
    expect(a.calls).toBe(2);
  });

  it("fails over at once on 401/403", async () => {
    const clock = recordingClock();
    const a = scripted("a", [new ProviderError("auth", "401", 401)]);
    const b = scripted("b", ["fallback"]);
    const chain = new ModelChain({ catalog: catalogWith({ a, b }), clock, log: silentLogger() });
    expect(await run(chain, ["a/m", "b/m"])).toBe("[b/m]fallback");
    expect(clock.sleeps).toEqual([]);
    expect(a.calls).toBe(1);
  });

  it("does not retry a 400 and reports the last failure with a catalogue code", async () => {
    const a = scripted("a", [new ProviderError("bad_request", "a answered HTTP 400", 400)]);
    const chain = new ModelChain({ catalog: catalogWith({ a }), clock: recordingClock(), log: silentLogger() });
    await expect(run(chain, ["a/m"])).rejects.toMatchObject({ code: "HF_PROVIDER_REFUSED" });
    const auth = scripted("x", [new ProviderError("auth", "401", 401)]);
    const chain2 = new ModelChain({ catalog: catalogWith({ x: auth }), clock: recordingClock(), log: silentLogger() });
    await expect(run(chain2, ["x/m"])).rejects.toMatchObject({ code: "HF_PROVIDER_AUTH" });
  });

  it("tells a provider that refused from one that could not be reached (distinct catalogue codes)", async () => {
    const codeOf = async (e: ProviderError) =>
      run(
        new ModelChain({
          catalog: catalogWith({ a: scripted("a", [e]) }),
          clock: recordingClock(),
          log: silentLogger(),
        }),
        ["a/m"],
      ).then(
        () => "ok",
        (err: { code: string; details?: unknown }) => [err.code, err.details],
      );
    expect(await codeOf(new ProviderError("bad_request", "a answered HTTP 404", 404))).toEqual([
      "HF_PROVIDER_REFUSED",
      { status: 404 },
    ]);
    expect(
      await codeOf(
        new ProviderError("network", "a could not be reached (EAI_AGAIN)", undefined, { errno: "EAI_AGAIN" }),
      ),
    ).toEqual(["HF_PROVIDER_NETWORK", { errno: "EAI_AGAIN" }]);
    expect(await codeOf(new ProviderError("server", "a answered HTTP 503", 503))).toEqual([
      "HF_PROVIDER_UNAVAILABLE",
      { status: 503 },
    ]);
  });

  it("never retries after output has streamed", async () => {
    let calls = 0;
    const flaky: ModelProvider = {
      id: "f",
      api: "openai-completions",
      async *stream() {
        calls++;
        yield { type: "text", text: "partial" };
        throw new ProviderError("server", "dropped", 502);
      },
    };
    const chain = new ModelChain({ catalog: catalogWith({ f: flaky }), clock: recordingClock(), log: silentLogger() });
    await expect(run(chain, ["f/m"])).rejects.toMatchObject({ code: "HF_PROVIDER_UNAVAILABLE" });
    expect(calls).toBe(1);
  });

  it("rejects malformed model refs", async () => {
    const chain = new ModelChain({ catalog: catalogWith({}), clock: recordingClock(), log: silentLogger() });
    await expect(run(chain, ["no-slash"])).rejects.toMatchObject({ code: "HF_MODEL_REF_INVALID" });
  });
});
