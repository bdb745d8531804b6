import { Ollama, type Message as OllamaMessage, type ChatResponse } from "ollama";
import type { ChatMessage } from "../../sessions/index.js";
import { toProviderError } from "./errors.js";
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

/** `api: "ollama"` via the official `ollama` SDK (NDJSON streaming). */
export function ollamaProvider(opts: OllamaProviderOptions): ModelProvider {
  return {
    id: opts.id,
    api: "ollama",
    async *stream(req: ModelRequest): AsyncIterable<StreamEvent> {
      const headers = { ...(opts.headers ?? {}), ...(opts.apiKey ? { Authorization: `Bearer ${opts.apiKey}` } : {}) };
      const client = new Ollama({ host: opts.baseUrl, headers });
      const onAbort = () => client.abort();
      req.signal.addEventListener("abort", onAbort, { once: true });
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
        yield* readStream(stream);
      } catch (err) {
        throw toProviderError(err, opts.id, req.signal, opts.baseUrl);
      } finally {
        req.signal.removeEventListener("abort", onAbort);
      }
    },
  };
}

async function* readStream(stream: AsyncIterable<ChatResponse>): AsyncIterable<StreamEvent> {
  let n = 0;
  let stopReason = "stop";
  for await (const part of stream) {
    if (part.message?.content) yield { type: "text", text: part.message.content };
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
    if (part.done) stopReason = part.done_reason || "stop";
  }
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
