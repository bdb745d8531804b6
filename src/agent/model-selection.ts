import type { AgentEntry, HoldfastConfig } from "../config/index.js";
import { HoldfastError } from "../errors/index.js";
import { cliHint } from "../infra/index.js";
import type { ProviderCatalog } from "./providers/catalog.js";

type Selection = AgentEntry["model"];

/** Probes a local Ollama for its first model; `undefined` when none answers. */
export type OllamaProbe = (baseUrl: string) => Promise<string | undefined>;

/** Asks `GET <baseUrl>/api/tags` (500 ms timeout) and returns the first model name. */
export const probeOllama: OllamaProbe = async (baseUrl) => {
  try {
    const res = await fetch(new URL("/api/tags", baseUrl), { signal: AbortSignal.timeout(500) });
    if (!res.ok) return undefined;
    const body = (await res.json()) as { models?: { name?: string }[] };
    return body.models?.find((m) => typeof m.name === "string")?.name;
  } catch {
    return undefined;
  }
};

/** Inputs of {@link resolveModelRefs}. `configPath` is named in the no-model help text. */
export interface ModelRefsInput {
  readonly config: HoldfastConfig;
  readonly agent: AgentEntry | undefined;
  readonly catalog: ProviderCatalog;
  readonly probe: OllamaProbe;
  readonly configPath: string;
}

/**
 * The ordered model refs for an agent: its own `model`, else `agents.defaults.model` (primary then
 * fallbacks); with nothing configured, the first built-in provider that has an env key, else the
 * first model of a local Ollama.
 * @throws HoldfastError HF_NO_MODEL with instructions when nothing is available.
 */
export async function resolveModelRefs(opts: ModelRefsInput): Promise<string[]> {
  const { config, agent, catalog, probe, configPath } = opts;
  const configured = toRefs(agent?.model) ?? toRefs(config.agents?.defaults?.model);
  if (configured && configured.length > 0) return configured;
  const keyed = catalog.defaultKeyedRef();
  if (keyed) return [keyed];
  const ollama = catalog.get("ollama");
  const local = ollama ? await probe(ollama.baseUrl) : undefined;
  if (local) return [`ollama/${local}`];
  throw new HoldfastError("HF_NO_MODEL", noModelHelp(configPath));
}

function toRefs(sel: Selection): string[] | undefined {
  if (sel === undefined) return undefined;
  if (typeof sel === "string") return [sel];
  return [...(sel.primary ? [sel.primary] : []), ...(sel.fallbacks ?? [])];
}

/**
 * The reply a user gets when no model is configured: exactly how to configure one. It holds no secret
 * (the example names an environment variable), so it is never redacted and can be copied as printed.
 */
export function noModelHelp(configPath: string): string {
  return [
    `No model is configured, so I cannot answer yet. The quickest way: run \`${cliHint("onboard")}\` on the gateway host. Or do any of these and restart the gateway:`,
    "- set ANTHROPIC_API_KEY, OPENAI_API_KEY or OPENROUTER_API_KEY in the gateway's environment;",
    "- run Ollama on this machine (http://127.0.0.1:11434) with at least one model pulled (`ollama pull llama3.2`);",
    `- or add a provider to ${configPath}, for example:`,
    '  { models: { providers: { openai: { apiKey: "${OPENAI_API_KEY}" } } }, agents: { defaults: { model: { primary: "openai/gpt-5" } } } }',
  ].join("\n");
}
