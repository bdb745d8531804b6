import Anthropic from "@anthropic-ai/sdk";
import type {
  MessageParam,
  RawMessageStreamEvent,
  Tool,
  ContentBlockParam,
} from "@anthropic-ai/sdk/resources/messages/messages";
import type { ChatMessage } from "../../sessions/index.js";
import { describeEndpoint, ProviderError, toProviderError, type ProviderEndpoint } from "./errors.js";
import { sdkClientOptions, sdkRequestOptions } from "./sdk-options.js";
import { parseToolArguments } from "./tool-args.js";
import type { ModelProvider, ModelRequest, StreamEvent } from "./types.js";

/** Settings for the Anthropic Messages API. */
export interface AnthropicProviderOptions {
  readonly id: string;
  readonly baseUrl: string;
  readonly apiKey: string;
  readonly headers?: Record<string, string>;
}

/**
 * `api: "anthropic-messages"` via the official `@anthropic-ai/sdk`, streaming. As for OpenAI, the SDK's
 * retries are off, its request timeout is the chain's call bound and its logger is silent.
 */
export function anthropicMessagesProvider(opts: AnthropicProviderOptions): ModelProvider {
  const client = new Anthropic(sdkClientOptions(opts));
  const at: ProviderEndpoint = { providerId: opts.id, baseUrl: opts.baseUrl };
  return {
    id: opts.id,
    api: "anthropic-messages",
    async *stream(req: ModelRequest): AsyncIterable<StreamEvent> {
      let stream: AsyncIterable<RawMessageStreamEvent>;
      try {
        stream = await client.messages.create(
          {
            model: req.model,
            max_tokens: req.maxTokens ?? 4096,
            system: req.system,
            stream: true,
            messages: withImages(toAnthropicMessages(req.messages), req.images),
            ...(req.tools.length > 0
              ? {
                  tools: req.tools.map((t) => ({
                    name: t.name,
                    description: t.description,
                    input_schema: t.parameters as Tool["input_schema"],
                  })),
                }
              : {}),
          },
          sdkRequestOptions(req),
        );
      } catch (err) {
        throw sdkError(err, at, req.signal);
      }
      yield* readEvents(stream, at, req.signal);
    },
  };
}

function sdkError(err: unknown, at: ProviderEndpoint, signal: AbortSignal): ProviderError {
  return toProviderError(err, { ...at, signal, isTimeout: (e) => e instanceof Anthropic.APIConnectionTimeoutError });
}

/**
 * Messages stream events → holdfast events. A complete stream starts with `message_start` and ends
 * with a stop reason (`message_delta`) or `message_stop`; anything else (no events, a cut stream) is a
 * bad response.
 */
async function* readEvents(
  stream: AsyncIterable<RawMessageStreamEvent>,
  at: ProviderEndpoint,
  signal: AbortSignal,
): AsyncIterable<StreamEvent> {
  const blocks = new Map<number, { id: string; name: string; json: string }>();
  let stopReason = "end_turn";
  let started = false;
  let stopped = false;
  let inputTokens: number | undefined;
  let outputTokens: number | undefined;
  try {
    for await (const ev of stream) {
      if (!ev || typeof ev !== "object" || typeof ev.type !== "string")
        throw new ProviderError(
          "bad_response",
          `${describeEndpoint(at)} streamed an event that is not a message event`,
        );
      if (ev.type === "content_block_delta" && ev.delta.type === "text_delta") {
        yield { type: "text", text: ev.delta.text };
        continue;
      }
      if (ev.type !== "content_block_stop" || !blocks.has(ev.index)) yield { type: "heartbeat" };
      if (ev.type === "message_start") {
        started = true;
        inputTokens = ev.message.usage?.input_tokens;
      } else if (ev.type === "message_stop") stopped = true;
      else if (ev.type === "content_block_start" && ev.content_block.type === "tool_use") {
        blocks.set(ev.index, { id: ev.content_block.id, name: ev.content_block.name, json: "" });
      } else if (ev.type === "content_block_delta") {
        if (ev.delta.type === "input_json_delta") {
          const b = blocks.get(ev.index);
          if (b) b.json += ev.delta.partial_json;
        }
      } else if (ev.type === "content_block_stop") {
        const b = blocks.get(ev.index);
        if (b) {
          blocks.delete(ev.index);
          yield { type: "tool_call", call: { id: b.id, name: b.name, arguments: parseToolArguments(b.json) } };
        }
      } else if (ev.type === "message_delta") {
        if (ev.delta.stop_reason) {
          stopReason = ev.delta.stop_reason;
          stopped = true;
        }
        outputTokens = ev.usage?.output_tokens ?? outputTokens;
      }
    }
  } catch (err) {
    throw sdkError(err, at, signal);
  }
  if (signal.aborted) throw new ProviderError("aborted", "request aborted");
  const who = describeEndpoint(at);
  if (!started)
    throw new ProviderError(
      "bad_response",
      `${who} answered HTTP 200 without a message stream (is baseUrl an Anthropic Messages API?)`,
    );
  if (blocks.size > 0) throw new ProviderError("bad_response", `${who} ended the stream inside a tool call`);
  if (!stopped) throw new ProviderError("bad_response", `${who} ended the stream before the message was complete`);
  yield { type: "done", stopReason, usage: { inputTokens, outputTokens } };
}

/** Puts images (base64 blocks) before the text of the last user message. */
function withImages(messages: MessageParam[], images: ModelRequest["images"]): MessageParam[] {
  const last = messages[messages.length - 1];
  if (!images?.length || last?.role !== "user" || !Array.isArray(last.content)) return messages;
  const blocks: ContentBlockParam[] = images.map((i) => ({
    type: "image",
    source: { type: "base64", media_type: i.mimeType as "image/png", data: i.dataBase64 },
  }));
  return [...messages.slice(0, -1), { role: "user", content: [...blocks, ...(last.content as ContentBlockParam[])] }];
}

/** Converts holdfast messages to Anthropic messages (tool results become user `tool_result` blocks). */
export function toAnthropicMessages(messages: readonly ChatMessage[]): MessageParam[] {
  const out: MessageParam[] = [];
  const push = (role: "user" | "assistant", blocks: ContentBlockParam[]) => {
    const last = out[out.length - 1];
    if (last && last.role === role && Array.isArray(last.content))
      (last.content as ContentBlockParam[]).push(...blocks);
    else out.push({ role, content: blocks });
  };
  for (const m of messages) {
    if (m.role === "user") push("user", [{ type: "text", text: m.content || " " }]);
    else if (m.role === "tool")
      push("user", [
        {
          type: "tool_result",
          tool_use_id: m.toolCallId,
          content: m.content,
          ...(m.isError ? { is_error: true } : {}),
        },
      ]);
    else {
      const blocks: ContentBlockParam[] = [];
      if (m.content) blocks.push({ type: "text", text: m.content });
      for (const c of m.toolCalls ?? []) blocks.push({ type: "tool_use", id: c.id, name: c.name, input: c.arguments });
      if (blocks.length > 0) push("assistant", blocks);
    }
  }
  return out;
}
