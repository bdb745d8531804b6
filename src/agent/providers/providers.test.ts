import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  defaultScript,
  startMockModelServer,
  type MockFault,
  type MockModelServer,
} from "../../../test/support/mock-model-server.js";
import type { ChatMessage } from "../../sessions/index.js";
import { anthropicMessagesProvider } from "./anthropic-messages.js";
import { ollamaProvider } from "./ollama.js";
import { openAiCompletionsProvider } from "./openai-completions.js";
import type { ModelProvider, StreamEvent } from "./types.js";
import { closedPort } from "../../../test/support/ports.js";

let mock: MockModelServer;
beforeAll(async () => {
  mock = await startMockModelServer({ apiKey: "k-123" });
});
afterAll(() => mock.close());
afterEach(() => mock.setScript(defaultScript));

const tools = [
  {
    name: "read",
    description: "read a file",
    parameters: { type: "object", properties: { path: { type: "string" } }, required: ["path"] },
  },
];

async function collect(p: ModelProvider, messages: ChatMessage[], signal?: AbortSignal): Promise<StreamEvent[]> {
  const out: StreamEvent[] = [];
  for await (const ev of p.stream({
    model: "m1",
    system: "sys",
    messages,
    tools,
    signal: signal ?? new AbortController().signal,
  }))
    out.push(ev);
  return out;
}

const user = (content: string): ChatMessage => ({ role: "user", content, timestamp: 0 });

const providers: [string, () => ModelProvider][] = [
  [
    "openai-completions (openai SDK)",
    () => openAiCompletionsProvider({ id: "o", baseUrl: `${mock.url}/v1`, apiKey: "k-123" }),
  ],
  [
    "anthropic-messages (@anthropic-ai/sdk)",
    () => anthropicMessagesProvider({ id: "a", baseUrl: mock.url, apiKey: "k-123" }),
  ],
  ["ollama (ollama SDK)", () => ollamaProvider({ id: "l", baseUrl: mock.url, apiKey: "k-123" })],
];

describe.each(providers)("%s against a streaming mock", (_name, make) => {
  it("streams text in several deltas and ends with done", async () => {
    const events = (await collect(make(), [user("hello there")])).filter((e) => e.type !== "heartbeat");
    const texts = events.filter((e) => e.type === "text").map((e) => (e as { text: string }).text);
    expect(texts.length).toBeGreaterThan(1);
    expect(texts.join("")).toBe("echo: hello there");
    expect(events.at(-1)).toMatchObject({ type: "done" });
  });

  it("parses a streamed tool call and sends the tool result back", async () => {
    const p = make();
    const first = await collect(p, [user("read notes.txt")]);
    const call = first.find((e) => e.type === "tool_call");
    expect(call).toMatchObject({ type: "tool_call", call: { name: "read", arguments: { path: "notes.txt" } } });
    expect(first.at(-1)).toMatchObject({ type: "done", stopReason: "tool_use" });
    const c = (call as { call: { id: string; name: string; arguments: Record<string, unknown> } }).call;
    const second = await collect(p, [
      user("read notes.txt"),
      { role: "assistant", content: "", toolCalls: [c], timestamp: 0 },
      { role: "tool", toolCallId: c.id, name: "read", content: "file body", timestamp: 0 },
    ]);
    expect(
      second
        .filter((e) => e.type === "text")
        .map((e) => (e as { text: string }).text)
        .join(""),
    ).toBe("Tool read returned: file body");
    const req = mock.requests.at(-1);
    expect(req?.tools).toEqual(["read"]);
  });
});

describe.each(providers)("%s against a misbehaving server", (_name, make) => {
  const failure = (p: ModelProvider) =>
    collect(p, [user("hi")]).then(
      () => undefined,
      (e: unknown) => e,
    );

  it.each<MockFault>(["garbage", "malformed", "empty"])(
    "reports a %s HTTP 200 as a bad response, never as an empty reply or a network failure",
    async (fault) => {
      mock.setScript(() => ({ fault }));
      const err = await failure(make());
      expect(err).toMatchObject({ name: "ProviderError", kind: "bad_response", code: "HF_PROVIDER_BAD_RESPONSE" });
      expect(String((err as Error).message)).toMatch(/^(o|a|l) at http:\/\/127\.0\.0\.1:\d+/);
    },
  );

  it("reads Retry-After (seconds, HTTP date) and retry-after-ms from a 429 or 503", async () => {
    const waitOf = async (headers: Record<string, string>, status = 429) => {
      mock.setScript(() => ({ status, headers }));
      return (await failure(make())) as { kind: string; retryAfterMs?: number };
    };
    const secs = await waitOf({ "retry-after": "7" });
    expect(secs.kind).toBe("rate_limit");
    // Ollama's SDK keeps no response headers: its 429s fall back to the chain's backoff.
    if (_name.startsWith("ollama")) return expect(secs.retryAfterMs).toBeUndefined();
    expect(secs.retryAfterMs).toBe(7_000);
    expect((await waitOf({ "retry-after-ms": "1500", "retry-after": "9" })).retryAfterMs).toBe(1_500);
    const date = await waitOf({ "retry-after": new Date(Date.now() + 20_000).toUTCString() }, 503);
    expect(date.kind).toBe("server");
    expect(date.retryAfterMs).toBeGreaterThan(15_000);
    expect(date.retryAfterMs).toBeLessThanOrEqual(20_000);
  });

  it("stops a hanging call when its signal aborts", async () => {
    mock.setScript(() => ({ fault: "hang" }));
    const ctl = new AbortController();
    const pending = collect(make(), [user("hi")], ctl.signal).catch((e: unknown) => e);
    setTimeout(() => ctl.abort(), 100);
    expect(await pending).toMatchObject({ kind: "aborted" });
  });

  it("names the base URL and the errno when nothing listens", async () => {
    const port = await closedPort();
    const err = (await failure(refusing(_name, port))) as { kind: string; errno?: string; message: string };
    expect(err).toMatchObject({ kind: "network", errno: "ECONNREFUSED", code: "HF_PROVIDER_NETWORK" });
    expect(err.message).toBe(
      `x at http://127.0.0.1:${port}${_name.startsWith("openai") ? "/v1" : ""} could not be reached (ECONNREFUSED)`,
    );
  });
});

/** The same provider kind pointed at `port`. */
function refusing(name: string, port: number): ModelProvider {
  const root = `http://127.0.0.1:${port}`;
  if (name.startsWith("openai")) return openAiCompletionsProvider({ id: "x", baseUrl: `${root}/v1`, apiKey: "k" });
  if (name.startsWith("anthropic")) return anthropicMessagesProvider({ id: "x", baseUrl: root, apiKey: "k" });
  return ollamaProvider({ id: "x", baseUrl: root });
}

describe("provider errors", () => {
  it("classifies a rejected key as auth (no key in the message)", async () => {
    const p = openAiCompletionsProvider({ id: "o", baseUrl: `${mock.url}/v1`, apiKey: "wrong-key-value" });
    const err = await collect(p, [user("hi")]).catch((e: unknown) => e);
    expect(err).toMatchObject({ name: "ProviderError", kind: "auth", status: 401 });
    expect(String((err as Error).message)).not.toContain("wrong-key-value");
  });

  it.each([
    ["openai", (u: string) => openAiCompletionsProvider({ id: "local", baseUrl: u, apiKey: "k" })],
    ["anthropic", (u: string) => anthropicMessagesProvider({ id: "local", baseUrl: u, apiKey: "k" })],
    ["ollama", (u: string) => ollamaProvider({ id: "local", baseUrl: u })],
  ] as const)("a refused connection (%s SDK) names the provider, the URL and ECONNREFUSED", async (_sdk, make) => {
    const port = await closedPort();
    const err = await collect(make(`http://127.0.0.1:${port}/v1?key=x`), [user("hi")]).catch((e: unknown) => e);
    expect(err).toMatchObject({ kind: "network", errno: "ECONNREFUSED", details: { errno: "ECONNREFUSED" } });
    expect((err as Error).message).toContain(
      `local at http://127.0.0.1:${port}/v1 could not be reached (ECONNREFUSED)`,
    );
    expect((err as Error).message).not.toContain("key=x");
  });
});
