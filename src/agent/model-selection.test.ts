import { describe, expect, it } from "vitest";
import { parseConfigText } from "../config/index.js";
import { SecretsSnapshot } from "../secrets/index.js";
import { ProviderCatalog } from "./index.js";
import { resolveModelRefs } from "./model-selection.js";

const none = async () => undefined;
const cfg = (o: object) => parseConfigText(JSON.stringify(o), "t", {}).config;
const empty = new SecretsSnapshot(new Map());

describe("model selection", () => {
  it("uses built-in providers from their env keys alone, in a fixed preference order", async () => {
    const anth = new ProviderCatalog({}, empty, { ANTHROPIC_API_KEY: "a", OPENAI_API_KEY: "o" });
    expect(
      await resolveModelRefs({ config: {}, agent: undefined, catalog: anth, probe: none, configPath: "/c" }),
    ).toEqual(["anthropic/claude-opus-4-6"]);
    const oai = new ProviderCatalog({}, empty, { OPENAI_API_KEY: "o" });
    expect(
      await resolveModelRefs({ config: {}, agent: undefined, catalog: oai, probe: none, configPath: "/c" }),
    ).toEqual(["openai/gpt-5"]);
    expect(oai.get("openai")).toMatchObject({
      keySource: "env",
      baseUrl: "https://api.openai.com/v1",
      api: "openai-completions",
    });
    const or = new ProviderCatalog({}, empty, { OPENROUTER_API_KEY: "r" });
    expect(
      await resolveModelRefs({ config: {}, agent: undefined, catalog: or, probe: none, configPath: "/c" }),
    ).toEqual(["openrouter/anthropic/claude-sonnet-4.5"]);
  });

  it("falls back to the first model of a local Ollama", async () => {
    const cat = new ProviderCatalog({}, empty, {});
    expect(
      await resolveModelRefs({
        config: {},
        agent: undefined,
        catalog: cat,
        probe: async (url) => (url === "http://127.0.0.1:11434" ? "llama3.2" : undefined),
        configPath: "/c",
      }),
    ).toEqual(["ollama/llama3.2"]);
  });

  it("says how to configure a model when nothing is available", async () => {
    const cat = new ProviderCatalog({}, empty, {});
    await expect(
      resolveModelRefs({ config: {}, agent: undefined, catalog: cat, probe: none, configPath: "/srv/holdfast.json" }),
    ).rejects.toMatchObject({
      code: "HF_NO_MODEL",
      message: expect.stringContaining("/srv/holdfast.json"),
    });
  });

  it("prefers the agent's model, then agents.defaults primary + fallbacks", async () => {
    const config = cfg({
      agents: {
        defaults: { model: { primary: "openai/gpt-5", fallbacks: ["anthropic/claude-opus-4-6"] } },
        list: [{ id: "w", model: "ollama/qwen" }],
      },
    });
    const cat = new ProviderCatalog(config, empty, {});
    expect(await resolveModelRefs({ config, agent: undefined, catalog: cat, probe: none, configPath: "/c" })).toEqual([
      "openai/gpt-5",
      "anthropic/claude-opus-4-6",
    ]);
    expect(
      await resolveModelRefs({ config, agent: config.agents?.list?.[0], catalog: cat, probe: none, configPath: "/c" }),
    ).toEqual(["ollama/qwen"]);
  });

  it("merges models.providers over built-ins, with the configured key winning", () => {
    const config = cfg({
      models: {
        providers: { openai: { baseUrl: "http://127.0.0.1:9/v1" }, local: { baseUrl: "http://127.0.0.1:8/v1" } },
      },
    });
    const cat = new ProviderCatalog(config, new SecretsSnapshot(new Map([["models.providers.openai.apiKey", "cfg"]])), {
      OPENAI_API_KEY: "env",
    });
    expect(cat.get("openai")).toMatchObject({
      baseUrl: "http://127.0.0.1:9/v1",
      apiKey: "cfg",
      keySource: "config",
      api: "openai-completions",
    });
    expect(cat.get("local")).toMatchObject({ api: "openai-completions", keySource: "none" });
    expect(cat.usable("local")).toBe(true);
    expect(cat.usable("anthropic")).toBe(false);
  });
});
