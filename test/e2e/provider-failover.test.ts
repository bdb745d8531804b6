import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GatewayClient } from "../../src/client/index.js";
import { sendAndWait } from "../support/chat.js";
import { makeStateDir, spawnGateway } from "../support/gateway-process.js";
import { startMockModelServer, type MockModelServer } from "../support/mock-model-server.js";

describe("provider failover through a real gateway", () => {
  let mock: MockModelServer;
  beforeAll(async () => {
    mock = await startMockModelServer({ apiKey: "the-right-key" });
  });
  afterAll(() => mock.close());

  it("moves on to the Anthropic fallback when the primary rejects its key", async () => {
    const stateDir = await makeStateDir({
      models: {
        providers: {
          primary: { baseUrl: `${mock.url}/v1`, api: "openai-completions", apiKey: "a-wrong-key" },
          claude: { baseUrl: mock.url, api: "anthropic-messages", apiKey: "${CLAUDE_KEY}" },
        },
      },
      agents: { defaults: { model: { primary: "primary/gpt-mock", fallbacks: ["claude/claude-mock"] } } },
    });
    const gw = await spawnGateway(stateDir, { env: { CLAUDE_KEY: "the-right-key" } });
    try {
      const client = await GatewayClient.connect({ url: gw.url, token: await gw.token() });
      const res = await sendAndWait(client, "main", "read nothing-here.txt");
      expect(res.state).toBe("final");
      expect(res.text).toMatch(/^Tool read returned: read failed/);
      expect(mock.requests.map((r) => r.api)).toEqual(["anthropic", "anthropic"]);
      const history = (await client.request("chat.history", { sessionKey: "main" })) as {
        messages: { role: string; provider?: string; model?: string }[];
      };
      expect(history.messages.filter((m) => m.role === "assistant").map((m) => `${m.provider}/${m.model}`)).toEqual([
        "claude/claude-mock",
        "claude/claude-mock",
      ]);
      client.close();
    } finally {
      await gw.stop();
    }
  });
});
