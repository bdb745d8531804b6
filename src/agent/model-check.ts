import type { AgentEntry, HoldfastConfig } from "../config/index.js";
import { errorMessage, isHoldfastError, type ErrorCode } from "../errors/index.js";
import type { Clock } from "../infra/index.js";
import type { Logger } from "../logging/index.js";
import type { SecretsView } from "../secrets/index.js";
import { ModelChain } from "./model-chain.js";
import { parseModelRef } from "./model-ref.js";
import { probeOllama, resolveModelRefs, type OllamaProbe } from "./model-selection.js";
import { ProviderCatalog } from "./providers/catalog.js";

/** What one real call to a model gave. Never holds the provider key. */
export interface ModelProbeResult {
  readonly ref: string;
  readonly ok: boolean;
  /** Time to the end of the reply (ms). */
  readonly ms: number;
  /** The model's reply, shortened (ok). */
  readonly reply?: string;
  /** Why it failed: the provider's error message (which names the provider). */
  readonly error?: string;
  readonly code?: ErrorCode;
}

/** One model of an agent's chain: whether its provider can be called at all (a key, or none needed). */
export interface ChainEntry {
  readonly ref: string;
  readonly provider: string;
  readonly usable: boolean;
  /** Where the key comes from (`config`, `env`, `none`). */
  readonly keySource: string;
  readonly baseUrl?: string;
}

/** An agent's model chain as `holdfast models status` and `doctor` report it. */
export interface ModelChainCheck {
  readonly agentId: string;
  /** True when at least one model of the chain can be called (and, with probes, answered). */
  readonly ok: boolean;
  readonly chain: readonly ChainEntry[];
  /** Why there is no usable model (the no-model help, or the reason each model is unusable). */
  readonly error?: string;
  readonly code?: ErrorCode;
  /** With `probe`: one real call per model, in chain order. */
  readonly probes?: readonly ModelProbeResult[];
}

/** Inputs of {@link checkModelChain}. */
export interface ModelCheckInput {
  readonly config: HoldfastConfig;
  readonly configPath: string;
  readonly secrets: SecretsView;
  readonly env: NodeJS.ProcessEnv;
  readonly clock: Clock;
  readonly log: Logger;
  readonly agentId: string;
  readonly agent: AgentEntry | undefined;
  /** Make one real call to each model of the chain. */
  readonly probe?: boolean;
  /** Per call (ms). Default 20 000. */
  readonly timeoutMs?: number;
  /** Test seam: the local Ollama probe. */
  readonly ollama?: OllamaProbe;
}

/**
 * Checks an agent's model chain the way its runs would use it: the refs (`resolveModelRefs`: the
 * agent's model, the defaults, a keyed built-in provider, a local Ollama), whether each provider can
 * be called, and with `probe` one real call per model through the same providers and error mapping
 * as a run (no retries, so a failure shows at once with its cause).
 */
export async function checkModelChain(input: ModelCheckInput): Promise<ModelChainCheck> {
  const catalog = new ProviderCatalog(input.config, input.secrets, input.env);
  let refs: string[];
  try {
    refs = await resolveModelRefs({
      config: input.config,
      agent: input.agent,
      catalog,
      probe: input.ollama ?? probeOllama,
      configPath: input.configPath,
    });
  } catch (err) {
    if (!isHoldfastError(err)) throw err;
    return { agentId: input.agentId, ok: false, chain: [], error: err.message, code: err.code };
  }
  const chain = refs.map((ref) => chainEntry(catalog, ref));
  const usable = chain.some((c) => c.usable);
  const base = { agentId: input.agentId, chain };
  const unusable = usable
    ? {}
    : {
        error: `no model of the chain can be called: ${chain.map((c) => `${c.ref} (provider "${c.provider}" has no API key)`).join(", ")}`,
        code: "HF_NO_MODEL" as const,
      };
  if (!input.probe) return { ...base, ok: usable, ...unusable };
  const probes: ModelProbeResult[] = [];
  for (const c of chain) probes.push(await probeModel(catalog, c.ref, input));
  return { ...base, ok: probes.some((p) => p.ok), probes, ...unusable };
}

function chainEntry(catalog: ProviderCatalog, ref: string): ChainEntry {
  let provider: string;
  try {
    provider = parseModelRef(ref).provider;
  } catch {
    return { ref, provider: "?", usable: false, keySource: "none" };
  }
  const s = catalog.get(provider);
  return {
    ref,
    provider,
    usable: catalog.usable(provider),
    keySource: s?.keySource ?? "none",
    ...(s?.baseUrl ? { baseUrl: s.baseUrl } : {}),
  };
}

/** The prompt of a probe call: short, and its answer is easy to recognize. */
export const PROBE_PROMPT = "This is a connection check. Reply with the single word: ready";

/**
 * One real call to `ref` (no tools, a few tokens, no retries): what `doctor --probe`, `models status
 * --probe` and `onboard` use to say whether a model answers.
 */
export async function probeModel(
  catalog: ProviderCatalog,
  ref: string,
  deps: { readonly clock: Clock; readonly log: Logger; readonly timeoutMs?: number },
): Promise<ModelProbeResult> {
  const chain = new ModelChain({ catalog, clock: deps.clock, log: deps.log, maxRetries: 0 });
  const started = deps.clock.now();
  const timeoutMs = deps.timeoutMs ?? 20_000;
  const signal = AbortSignal.timeout(timeoutMs);
  let reply = "";
  try {
    for await (const ev of chain.stream([ref], {
      system: "You are a connection check.",
      messages: [{ role: "user", content: PROBE_PROMPT, timestamp: started }],
      tools: [],
      signal,
      maxTokens: 16,
    }))
      if (ev.type === "text") reply += ev.text;
    const text = reply.trim();
    return {
      ref,
      ok: true,
      ms: deps.clock.now() - started,
      reply: text.length > 200 ? `${text.slice(0, 197)}...` : text,
    };
  } catch (err) {
    const ms = deps.clock.now() - started;
    if (signal.aborted)
      return {
        ref,
        ok: false,
        ms,
        error: `${ref}: no complete answer within ${timeoutMs} ms`,
        code: "HF_PROVIDER_NETWORK",
      };
    return { ref, ok: false, ms, error: errorMessage(err), ...(isHoldfastError(err) ? { code: err.code } : {}) };
  }
}
