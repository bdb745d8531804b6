import OpenAI from "openai";
import type {
  ChatCompletionChunk,
  ChatCompletionMessageParam,
  ChatCompletionTool,
} from "openai/resources/chat/completions";
import type { ChatMessage, ToolCall } from "../../sessions/index.js";
import { parseToolArguments } from "./tool-args.js";
import { describeEndpoint, ProviderError, toProviderError, type ProviderEndpoint } from "./errors.js";
import { sdkClientOptions, sdkRequestOptions } from "./sdk-options.js";
import type { ModelProvider, ModelRequest, StreamEvent } from "./types.js";

/** Settings for an OpenAI chat-completions compatible API (OpenAI, OpenRouter, local servers). */
export interface OpenAiProviderOptions {
  readonly id: string;
  readonly baseUrl: string;
  readonly apiKey: string;
  readonly headers?: Record<string, string>;
}

/**
 * `api: "openai-completions"` via the official `openai` SDK, streaming. The SDK's retries are off (it
 * would retry 429/5xx/timeouts twice, honouring `retry-after`, before the chain saw anything), its
 * request timeout is the chain's call bound, and its logger is silent (it would print unparsable
 * stream data to the console, outside the redacting log).
 */
export function openAiCompletionsProvider(opts: OpenAiProviderOptions): ModelProvider {
  const client = new OpenAI(sdkClientOptions(opts));
  const at: ProviderEndpoint = { providerId: opts.id, baseUrl: opts.baseUrl };
  return {
    id: opts.id,
    api: "openai-completions",
    async *stream(req: ModelRequest): AsyncIterable<StreamEvent> {
      let stream: AsyncIterable<ChatCompletionChunk>;
      try {
        stream = await client.chat.completions.create(
          {
            model: req.model,
            stream: true,
            stream_options: { include_usage: true },
            max_completion_tokens: req.maxTokens ?? 4096,
            messages: withImages(toOpenAiMessages(req.system, req.messages), req.images),
            ...(req.tools.length > 0 ? { tools: req.tools.map(toOpenAiTool) } : {}),
          },
          sdkRequestOptions(req),
        );
      } catch (err) {
        throw sdkError(err, at, req.signal);
      }
      yield* readChunks(stream, at, req.signal);
    },
  };
}

function sdkError(err: unknown, at: ProviderEndpoint, signal: AbortSignal): ProviderError {
  return toProviderError(err, { ...at, signal, isTimeout: (e) => e instanceof OpenAI.APIConnectionTimeoutError });
}

async function* readChunks(
  stream: AsyncIterable<ChatCompletionChunk>,
  at: ProviderEndpoint,
  signal: AbortSignal,
): AsyncIterable<StreamEvent> {
  const calls = new Map<number, { id: string; name: string; args: string }>();
  let stopReason = "stop";
  let chunks = 0;
  let usage: { inputTokens?: number; outputTokens?: number } | undefined;
  try {
    for await (const chunk of stream) {
      if (!chunk || typeof chunk !== "object")
        throw new ProviderError(
          "bad_response",
          `${describeEndpoint(at)} streamed an event that is not a completion chunk`,
        );
      chunks++;
      if (chunk.usage) usage = { inputTokens: chunk.usage.prompt_tokens, outputTokens: chunk.usage.completion_tokens };
      const choice = chunk.choices?.[0];
      const delta = choice?.delta;
      if (delta?.content) yield { type: "text", text: delta.content };
      else yield { type: "heartbeat" };
      if (!choice) continue;
      for (const tc of delta?.tool_calls ?? []) {
        const cur = calls.get(tc.index) ?? { id: "", name: "", args: "" };
        if (tc.id) cur.id = tc.id;
        if (tc.function?.name) cur.name += tc.function.name;
        if (tc.function?.arguments) cur.args += tc.function.arguments;
        calls.set(tc.index, cur);
      }
      if (choice.finish_reason) stopReason = choice.finish_reason;
    }
  } catch (err) {
    throw sdkError(err, at, signal);
  }
  if (signal.aborted) throw new ProviderError("aborted", "request aborted");
  if (chunks === 0)
    throw new ProviderError(
      "bad_response",
      `${describeEndpoint(at)} answered HTTP 200 without any completion chunk (is baseUrl an OpenAI-compatible /v1 API?)`,
    );
  for (const [index, c] of [...calls.entries()].sort((a, b) => a[0] - b[0])) {
    if (!c.name) throw new ProviderError("bad_response", `${describeEndpoint(at)} streamed a tool call without a name`);
    const call: ToolCall = { id: c.id || `call_${index}`, name: c.name, arguments: parseToolArguments(c.args) };
    yield { type: "tool_call", call };
  }
  yield {
    type: "done",
    stopReason: stopReason === "tool_calls" ? "tool_use" : stopReason,
    ...(usage ? { usage } : {}),
  };
}

function toOpenAiTool(t: {
  name: string;
  description: string;
  parameters: Record<string, unknown>;
}): ChatCompletionTool {
  return { type: "function", function: { name: t.name, description: t.description, parameters: t.parameters } };
}

/** Attaches images to the last user message as `image_url` data URLs. */
function withImages(
  messages: ChatCompletionMessageParam[],
  images: ModelRequest["images"],
): ChatCompletionMessageParam[] {
  const last = messages[messages.length - 1];
  if (!images?.length || last?.role !== "user" || typeof last.content !== "string") return messages;
  const parts = [
    { type: "text" as const, text: last.content },
    ...images.map((i) => ({
      type: "image_url" as const,
      image_url: { url: `data:${i.mimeType};base64,${i.dataBase64}` },
    })),
  ];
  return [...messages.slice(0, -1), { role: "user", content: parts }];
}

/** Converts holdfast messages to chat-completions messages. */
export function toOpenAiMessages(system: string, messages: readonly ChatMessage[]): ChatCompletionMessageParam[] {
  const out: ChatCompletionMessageParam[] = [{ role: "system", content: system }];
  for (const m of messages) {
    if (m.role === "user") out.push({ role: "user", content: m.content });
    else if (m.role === "tool") out.push({ role: "tool", tool_call_id: m.toolCallId, content: m.content });
    else if (m.toolCalls && m.toolCalls.length > 0) {
      out.push({
        role: "assistant",
        content: m.content || null,
        tool_calls: m.toolCalls.map((c) => ({
          id: c.id,
          type: "function" as const,
          function: { name: c.name, arguments: JSON.stringify(c.arguments) },
        })),
      });
    } else out.push({ role: "assistant", content: m.content });
  }
  return out;
}
