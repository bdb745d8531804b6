import type { HoldfastConfig, ProviderConfig } from "../../config/index.js";
import type { SecretsView } from "../../secrets/index.js";
import type { ModelProvider, ModelRequest, StreamEvent } from "./types.js";

type Api = ModelProvider["api"];

/** A provider's effective settings after merging built-ins, config and secrets. */
export interface ProviderSettings {
  readonly id: string;
  readonly api: Api;
  readonly baseUrl: string;
  readonly apiKey: string | undefined;
  readonly headers: Record<string, string> | undefined;
  readonly models: readonly string[];
  /** Where the key came from, for `status` (never the key itself). */
  readonly keySource: "config" | "env" | "none";
}

interface BuiltIn {
  readonly api: Api;
  readonly baseUrl: string;
  readonly envKey?: string;
  readonly defaultModel: string;
}

/** Providers that work from an environment variable alone (or, for Ollama, a local server). */
export const BUILT_IN_PROVIDERS: Readonly<Record<string, BuiltIn>> = {
  anthropic: {
    api: "anthropic-messages",
    baseUrl: "https://api.anthropic.com",
    envKey: "ANTHROPIC_API_KEY",
    defaultModel: "claude-opus-4-6",
  },
  openai: {
    api: "openai-completions",
    baseUrl: "https://api.openai.com/v1",
    envKey: "OPENAI_API_KEY",
    defaultModel: "gpt-5",
  },
  openrouter: {
    api: "openai-completions",
    baseUrl: "https://openrouter.ai/api/v1",
    envKey: "OPENROUTER_API_KEY",
    defaultModel: "anthropic/claude-sonnet-4.5",
  },
  ollama: { api: "ollama", baseUrl: "http://127.0.0.1:11434", defaultModel: "" },
};

/**
 * The model providers known to this gateway: built-ins (Anthropic, OpenAI, OpenRouter from their env
 * keys; Ollama at 127.0.0.1:11434) merged with `models.providers.<id>` from config. SDK clients are
 * created on first use.
 */
export class ProviderCatalog {
  private readonly settings = new Map<string, ProviderSettings>();
  private readonly clients = new Map<string, ModelProvider>();

  constructor(
    private readonly config: HoldfastConfig,
    secrets: SecretsView,
    private readonly env: NodeJS.ProcessEnv,
  ) {
    this.build(secrets);
  }

  /**
   * Re-reads the provider keys from `secrets` (after `secrets reload`). SDK clients are recreated on
   * next use; runs already streaming keep the client they started with.
   */
  reload(secrets: SecretsView): void {
    this.settings.clear();
    this.clients.clear();
    this.build(secrets);
  }

  private build(secrets: SecretsView): void {
    for (const [id, b] of Object.entries(BUILT_IN_PROVIDERS)) {
      const envKey = b.envKey ? this.env[b.envKey] || undefined : undefined;
      this.settings.set(id, {
        id,
        api: b.api,
        baseUrl: b.baseUrl,
        apiKey: envKey,
        headers: undefined,
        models: [],
        keySource: envKey ? "env" : "none",
      });
    }
    for (const [id, p] of Object.entries(this.config.models?.providers ?? {}))
      this.settings.set(id, this.merge(id, p, secrets));
  }

  private merge(id: string, p: ProviderConfig, secrets: SecretsView): ProviderSettings {
    const base = this.settings.get(id);
    const configured = secrets.get(`models.providers.${id}.apiKey`);
    const apiKey = configured ?? base?.apiKey;
    return {
      id,
      api: p.api ?? base?.api ?? "openai-completions",
      baseUrl: p.baseUrl ?? base?.baseUrl ?? "",
      apiKey,
      headers: p.headers,
      models: (p.models ?? []).map((m) => (typeof m === "string" ? m : m.id)),
      keySource: configured ? "config" : apiKey ? "env" : "none",
    };
  }

  /** Effective settings of a provider id, or undefined. */
  get(id: string): ProviderSettings | undefined {
    return this.settings.get(id);
  }

  /** All provider settings (for status and audit). */
  all(): ProviderSettings[] {
    return [...this.settings.values()];
  }

  /** True when the provider can be called: it has a key, or needs none (Ollama, keyless local servers). */
  usable(id: string): boolean {
    const s = this.settings.get(id);
    if (!s || !s.baseUrl) return false;
    return s.api === "ollama" || s.apiKey !== undefined || !BUILT_IN_PROVIDERS[id];
  }

  /** The SDK-backed provider for `id` (created once), or undefined when unknown or unusable. */
  client(id: string): ModelProvider | undefined {
    if (!this.usable(id)) return undefined;
    let c = this.clients.get(id);
    if (c) return c;
    c = lazyProvider(this.settings.get(id) as ProviderSettings);
    this.clients.set(id, c);
    return c;
  }

  /** The default model ref of a built-in provider that has a key, in preference order. */
  defaultKeyedRef(): string | undefined {
    for (const id of ["anthropic", "openai", "openrouter"]) {
      const b = BUILT_IN_PROVIDERS[id] as BuiltIn;
      if (this.settings.get(id)?.apiKey) return `${id}/${b.defaultModel}`;
    }
    return undefined;
  }
}

/**
 * A provider whose SDK module is imported on the first call: the SDKs cost start-up time and memory,
 * and a gateway usually talks to one provider only.
 */
function lazyProvider(s: ProviderSettings): ModelProvider {
  let real: Promise<ModelProvider> | undefined;
  const headers = s.headers ? { headers: s.headers } : {};
  const load = async (): Promise<ModelProvider> => {
    if (s.api === "anthropic-messages")
      return (await import("./anthropic-messages.js")).anthropicMessagesProvider({
        id: s.id,
        baseUrl: s.baseUrl,
        apiKey: s.apiKey ?? "",
        ...headers,
      });
    if (s.api === "ollama")
      return (await import("./ollama.js")).ollamaProvider({
        id: s.id,
        baseUrl: s.baseUrl,
        ...headers,
        ...(s.apiKey ? { apiKey: s.apiKey } : {}),
      });
    return (await import("./openai-completions.js")).openAiCompletionsProvider({
      id: s.id,
      baseUrl: s.baseUrl,
      apiKey: s.apiKey ?? "not-needed",
      ...headers,
    });
  };
  return {
    id: s.id,
    api: s.api,
    async *stream(req: ModelRequest): AsyncIterable<StreamEvent> {
      real ??= load();
      yield* (await real).stream(req);
    },
  };
}
