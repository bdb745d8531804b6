import type { ChatMessage, ToolCall } from "../../sessions/index.js";
import type { ToolSpec } from "../../tools/index.js";

/** One model call. `model` is the provider-local model id (without the `<provider>/` prefix). */
export interface ModelRequest {
  readonly model: string;
  readonly system: string;
  readonly messages: readonly ChatMessage[];
  readonly tools: readonly ToolSpec[];
  readonly signal: AbortSignal;
  /** Upper bound on generated tokens. Default 4096. */
  readonly maxTokens?: number;
  /**
   * How long this call may take in all (ms), for the SDK's own request timeout: the chain enforces the
   * bound itself and sets the SDK's to the same value so no hidden longer default applies.
   */
  readonly timeoutMs?: number;
  /** Images attached to the last user message (base64), for the `image` tool. */
  readonly images?: readonly { readonly mimeType: string; readonly dataBase64: string }[];
}

/**
 * What a provider streams back. A stream ends with exactly one `done`. `heartbeat` says the provider
 * is alive without anything to show (a role chunk, `message_start`, a thinking or tool-argument delta):
 * it keeps the chain's idle timer from firing and never reaches the agent loop.
 */
export type StreamEvent =
  | { readonly type: "heartbeat" }
  | { readonly type: "text"; readonly text: string }
  | { readonly type: "tool_call"; readonly call: ToolCall }
  | {
      readonly type: "done";
      readonly stopReason: string;
      readonly usage?: { readonly inputTokens?: number; readonly outputTokens?: number };
    };

/**
 * A model API behind an official SDK. Implementations throw {@link ProviderError} (see errors.ts) for
 * HTTP and network failures so the chain can retry and fail over, and for a 200 that is not a complete
 * reply (no events, malformed events, a stream that ends before the model finished). The SDKs' own
 * retries are off: the chain is the one retry policy.
 */
export interface ModelProvider {
  /** Provider id as used in model refs (`openai`, `anthropic`, `mock`, ...). */
  readonly id: string;
  readonly api: "openai-completions" | "anthropic-messages" | "ollama";
  stream(req: ModelRequest): AsyncIterable<StreamEvent>;
}
