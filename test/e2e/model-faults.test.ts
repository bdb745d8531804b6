import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GatewayClient } from "../../src/client/index.js";
import { sendAndWait } from "../support/chat.js";
import { messageText } from "../support/wire-message.js";
import { makeStateDir, spawnGateway, type GatewayProcess } from "../support/gateway-process.js";
import {
  defaultScript,
  startMockModelServer,
  type MockModelServer,
  type MockReply,
  type MockRequest,
} from "../support/mock-model-server.js";

/**
 * A real gateway whose primary model (OpenAI API) misbehaves as the user's message says, with an
 * Anthropic-API fallback that answers normally: the failures must end in a clear `chat` error or the
 * fallback's answer, within the configured bounds (timeoutSeconds 2, streamIdleTimeoutSeconds 1).
 */
/** A `chat.history` message in the wire shape: user text, or assistant content parts. */
interface WireMessage {
  role: string;
  content: unknown;
  partial?: boolean;
  provider?: string;
  model?: string;
}

describe("model faults through a real gateway", () => {
  let mock: MockModelServer;
  let gw: GatewayProcess;
  let client: GatewayClient;
  const seen = new Map<string, number>();

  const script = (req: MockRequest): MockReply => {
    const text = [...req.messages].reverse().find((m) => m.role === "user")?.content ?? "";
    const n = (seen.get(`${req.api}:${text}`) ?? 0) + 1;
    seen.set(`${req.api}:${text}`, n);
    if (req.api !== "openai") return defaultScript(req);
    if (text === "hang") return { fault: "hang" };
    if (text === "garbage") return { fault: "garbage" };
    if (text === "stall") return { text: "a reply that stops half way", fault: "stall" };
    if (text === "busy" && n === 1) return { status: 429, headers: { "retry-after": "1" } };
    if (text === "broken" && n === 1) return { status: 500 };
    if (text === "bad sse") return { fault: "malformed" };
    return defaultScript(req);
  };

  beforeAll(async () => {
    mock = await startMockModelServer({ script });
    const stateDir = await makeStateDir({
      models: {
        providers: {
          flaky: { baseUrl: `${mock.url}/v1`, api: "openai-completions", apiKey: "not-a-secret-key" },
          backup: { baseUrl: mock.url, api: "anthropic-messages", apiKey: "not-a-secret-key" },
        },
      },
      agents: {
        defaults: {
          model: { primary: "flaky/m", fallbacks: ["backup/m"] },
          timeoutSeconds: 2,
          streamIdleTimeoutSeconds: 1,
        },
      },
    });
    gw = await spawnGateway(stateDir);
    client = await GatewayClient.connect({ url: gw.url, token: await gw.token() });
  });
  afterAll(async () => {
    client?.close();
    await gw?.stop();
    await mock.close();
  });

  it("fails over to the fallback when the primary never answers, after timeoutSeconds", async () => {
    const started = Date.now();
    const res = await sendAndWait(client, "agent:main:hang", "hang");
    expect(res.state).toBe("final");
    expect(res.text).toBe("echo: hang");
    expect(res.events.at(-1)?.model).toBe("backup/m");
    const failover = res.events.find((e) => e.phase === "model_failover");
    expect(failover?.statusText).toBe("flaky/m failed (HF_PROVIDER_TIMEOUT); trying backup/m");
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it("ends a stream that stalls mid-reply with a clear error and stores the partial text", async () => {
    const res = await sendAndWait(client, "agent:main:stall", "stall");
    expect(res.state).toBe("error");
    expect(res.events.at(-1)).toMatchObject({ errorCode: "HF_PROVIDER_TIMEOUT", partial: true });
    expect(res.text).toMatch(/^flaky\/m: flaky at http:\/\/127\.0\.0\.1:\d+\/v1 stalled: nothing streamed for 1 s/);
    const shown = res.events
      .filter((e) => e.state === "delta")
      .map((e) => e.deltaText)
      .join("");
    expect(shown.length).toBeGreaterThan(0);
    const { messages } = (await client.request("chat.history", { sessionKey: "agent:main:stall" })) as {
      messages: WireMessage[];
    };
    expect(messages.map((m) => [m.role, messageText(m), m.partial])).toEqual([
      ["user", "stall", undefined],
      ["assistant", shown, true],
    ]);
  });

  it("honours Retry-After on a 429 and shows the retry as a status event", async () => {
    const res = await sendAndWait(client, "agent:main:busy", "busy");
    expect(res.state).toBe("final");
    expect(res.text).toBe("echo: busy");
    expect(res.events.at(-1)?.model).toBe("flaky/m");
    const retry = res.events.find((e) => e.phase === "retrying_model");
    expect(retry).toMatchObject({ delayMs: 1000, errorCode: "HF_PROVIDER_RATE_LIMIT" });
    expect(retry?.statusText).toMatch(
      /^retrying flaky\/m \(1\/5\) in 1 s: flaky at http:\/\/127\.0\.0\.1:\d+\/v1 answered HTTP 429/,
    );
  });

  it("never turns an unparsable HTTP 200 into an empty answer: the fallback answers instead", async () => {
    const res = await sendAndWait(client, "agent:main:garbage", "garbage");
    expect(res.state).toBe("final");
    expect(res.text).toBe("echo: garbage");
    expect(res.events.find((e) => e.phase === "model_failover")?.errorCode).toBe("HF_PROVIDER_BAD_RESPONSE");
    const { messages } = (await client.request("chat.history", { sessionKey: "agent:main:garbage" })) as {
      messages: WireMessage[];
    };
    expect(messages.map((m) => [m.role, messageText(m), m.provider, m.model])).toEqual([
      ["user", "garbage", undefined, undefined],
      ["assistant", "echo: garbage", "backup", "m"],
    ]);
  });

  it("retries an HTTP 500 with backoff, announced as a status event, and answers", async () => {
    const res = await sendAndWait(client, "agent:main:broken", "broken");
    expect(res.state).toBe("final");
    expect(res.text).toBe("echo: broken");
    expect(res.events.at(-1)?.model).toBe("flaky/m");
    expect(res.events.find((e) => e.phase === "retrying_model")).toMatchObject({
      delayMs: 500,
      errorCode: "HF_PROVIDER_UNAVAILABLE",
    });
  });

  it("fails over on malformed SSE in an HTTP 200 (a bad answer, not an unreachable provider)", async () => {
    const res = await sendAndWait(client, "agent:main:badsse", "bad sse");
    expect(res.state).toBe("final");
    expect(res.text).toBe("echo: bad sse");
    expect(res.events.at(-1)?.model).toBe("backup/m");
    const failover = res.events.find((e) => e.phase === "model_failover");
    expect(failover?.errorCode).toBe("HF_PROVIDER_BAD_RESPONSE");
    expect(failover?.statusText).toBe("flaky/m failed (HF_PROVIDER_BAD_RESPONSE); trying backup/m");
  });
});
