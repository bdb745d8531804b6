import { Ollama, type Message as OllamaMessage, type ChatResponse } from "ollama";
import type { ChatMessage } from "../../sessions/index.js";
import { describeEndpoint, ProviderError, toProviderError, type ProviderEndpoint } from "./errors.js";
import { modelFetch } from "./model-fetch.js";
import type { ModelProvider, ModelRequest, StreamEvent } from "./types.js";

/** Settings for a local Ollama server. */
export interface OllamaProviderOptions {
  readonly id: string;
  /** Default `http://127.0.0.1:11434`. */
  readonly baseUrl: string;
  /** Sent as `Authorization: Bearer` when set (Ollama behind an authenticating proxy). */
  readonly apiKey?: string;
  readonly headers?: Record<string, string>;
}

/**
 * `api: "ollama"` via the official `ollama` SDK (NDJSON streaming). The SDK has no retries and no
 * timeout of its own: the chain bounds the call, and its signal reaches every request through the
 * `fetch` the client is given (`client.abort()` alone misses a request still waiting for headers).
 */
export function ollamaProvider(opts: OllamaProviderOptions): ModelProvider {
  const at: ProviderEndpoint = { providerId: opts.id, baseUrl: opts.baseUrl };
  return {
    id: opts.id,
    api: "ollama",
    async *stream(req: ModelRequest): AsyncIterable<StreamEvent> {
      const headers = { ...(opts.headers ?? {}), ...(opts.apiKey ? { Authorization: `Bearer ${opts.apiKey}` } : {}) };
      const client = new Ollama({ host: opts.baseUrl, headers, fetch: abortableFetch(req.signal) });
      try {
        const stream = await client.chat({
          model: req.model,
          stream: true,
          messages: withImages(toOllamaMessages(req.system, req.messages), req.images),
          ...(req.tools.length > 0
            ? {
                tools: req.tools.map((t) => ({
                  type: "function",
                  function: { name: t.name, description: t.description, parameters: t.parameters },
                })),
              }
            : {}),
          options: { num_predict: req.maxTokens ?? 4096 },
        });
        yield* readStream(stream, at);
      } catch (err) {
        throw ollamaError(err, at, req.signal);
      }
    },
  };
}

/** {@link modelFetch} that also aborts with `signal` (besides the SDK's own per-request signal). */
function abortableFetch(signal: AbortSignal): typeof fetch {
  return (input, init) =>
    modelFetch(input, { ...init, signal: init?.signal ? AbortSignal.any([init.signal, signal]) : signal });
}

/** The SDK's own stream errors are plain Errors: its "no done line" and the server's `{"error": ...}` line. */
const NO_DONE = "Did not receive done or success response in stream.";

function ollamaError(err: unknown, at: ProviderEndpoint, signal: AbortSignal): ProviderError {
  // The SDK's own errors are plain Errors; a socket's error is one too, but carries an errno `code`.
  const plain = err instanceof Error && err.constructor === Error && err.cause === undefined && !("code" in err);
  if (plain && !signal.aborted) {
    if (err.message === NO_DONE)
      return new ProviderError("bad_response", `${describeEndpoint(at)} ended the stream before the model finished`);
    const text = err.message.replace(/\s+/g, " ").slice(0, 200);
    return new ProviderError("server", `${describeEndpoint(at)} reported an error in the stream: ${text}`);
  }
  return toProviderError(err, { ...at, signal });
}

async function* readStream(stream: AsyncIterable<ChatResponse>, at: ProviderEndpoint): AsyncIterable<StreamEvent> {
  let n = 0;
  let stopReason = "stop";
  let done = false;
  for await (const part of stream) {
    if (!part || typeof part !== "object")
      throw new ProviderError("bad_response", `${describeEndpoint(at)} streamed a line that is not a chat response`);
    if (part.message?.content) yield { type: "text", text: part.message.content };
    else yield { type: "heartbeat" };
    for (const tc of part.message?.tool_calls ?? []) {
      yield {
        type: "tool_call",
        call: {
          id: `call_${n++}`,
          name: tc.function.name,
          arguments: (tc.function.arguments ?? {}) as Record<string, unknown>,
        },
      };
    }
    if (part.done) {
      done = true;
      stopReason = part.done_reason || "stop";
    }
  }
  if (!done)
    throw new ProviderError("bad_response", `${describeEndpoint(at)} ended the stream before the model finished`);
  yield { type: "done", stopReason: n > 0 ? "tool_use" : stopReason };
}

/** Ollama takes base64 images on the message itself. */
function withImages(messages: OllamaMessage[], images: ModelRequest["images"]): OllamaMessage[] {
  const last = messages[messages.length - 1];
  if (!images?.length || last?.role !== "user") return messages;
  return [...messages.slice(0, -1), { ...last, images: images.map((i) => i.dataBase64) }];
}

function toOllamaMessages(system: string, messages: readonly ChatMessage[]): OllamaMessage[] {
  const out: OllamaMessage[] = [{ role: "system", content: system }];
  for (const m of messages) {
    if (m.role === "user") out.push({ role: "user", content: m.content });
    else if (m.role === "tool") out.push({ role: "tool", content: m.content, tool_name: m.name });
    else
      out.push({
        role: "assistant",
        content: m.content,
        ...(m.toolCalls?.length
          ? { tool_calls: m.toolCalls.map((c) => ({ function: { name: c.name, arguments: c.arguments } })) }
          : {}),
      });
  }
  return out;
}
