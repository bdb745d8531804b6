import type { RunEvent } from "../../agent/index.js";

/**
 * Maps an agent run event to the gateway's `chat` event payload (reference Appendix A):
 * `{runId, sessionKey, agentId, seq, state, ...}` with state `status` | `delta` | `final` | `error`.
 * Tool progress becomes an `agent` event (`stream: "tool"`). Returns undefined for nothing to send.
 */
export function toGatewayEvent(
  ev: RunEvent,
  now: number,
): { event: "chat" | "agent"; payload: Record<string, unknown> } | undefined {
  const base = { runId: ev.runId, sessionKey: ev.sessionKey, agentId: ev.agentId, seq: ev.seq };
  const e = ev.event;
  switch (e.type) {
    case "status":
      return { event: "chat", payload: { ...base, state: "status", ...statusFields(e) } };
    case "delta":
      return {
        event: "chat",
        payload: { ...base, state: "delta", deltaText: e.text, message: assistant(e.accumulated, now) },
      };
    case "final":
      return {
        event: "chat",
        payload: {
          ...base,
          state: "final",
          stopReason: e.stopReason,
          message: assistant(e.text, now),
          ...(e.model ? { model: e.model } : {}),
        },
      };
    case "error":
      return {
        event: "chat",
        payload: {
          ...base,
          state: "error",
          errorMessage: e.message,
          errorCode: e.code,
          ...(e.partialText ? { partial: true } : {}),
        },
      };
    case "tool":
      return {
        event: "agent",
        payload: {
          ...base,
          stream: "tool",
          data: {
            phase: e.phase,
            name: e.name,
            toolCallId: e.toolCallId,
            ...(e.isError !== undefined ? { isError: e.isError } : {}),
            ...(e.decision ? { decision: e.decision } : {}),
            ...(e.args ? { args: e.args } : {}),
            ...(e.result !== undefined ? resultOf(e.result) : {}),
          },
        },
      };
  }
}

/** Tool results shown to clients are cut at this many characters (the transcript keeps them whole). */
export const TOOL_RESULT_EVENT_MAX_CHARS = 4000;

function resultOf(text: string): { result: string; resultTruncated?: true } {
  return text.length > TOOL_RESULT_EVENT_MAX_CHARS
    ? { result: text.slice(0, TOOL_RESULT_EVENT_MAX_CHARS), resultTruncated: true }
    : { result: text };
}

/**
 * The fields of a `status` event: its `phase` and what it is about. Model retries and failovers carry
 * a ready-to-show `statusText` ("retrying openai/gpt-5 (2/5) in 1 s: ..."), so clients can show
 * activity while the chain waits.
 */
function statusFields(e: Extract<RunEvent["event"], { type: "status" }>): Record<string, unknown> {
  if (e.phase === "retrying_model")
    return {
      phase: e.phase,
      model: e.model,
      retry: e.retry,
      maxRetries: e.maxRetries,
      delayMs: e.delayMs,
      errorCode: e.code,
      statusText: `retrying ${e.model} (${e.retry}/${e.maxRetries}) in ${Math.round(e.delayMs / 100) / 10} s: ${e.reason}`,
    };
  if (e.phase === "model_failover")
    return {
      phase: e.phase,
      from: e.from,
      to: e.to,
      errorCode: e.code,
      statusText: `${e.from} failed (${e.code}); trying ${e.to}`,
    };
  return { phase: e.phase, ...(e.tool ? { tool: e.tool } : {}) };
}

/** A chat command's reply, sent as the `final` event of a synthetic run. */
export interface CommandReply {
  readonly runId: string;
  readonly sessionKey: string;
  readonly agentId: string;
  readonly text: string;
}

/**
 * The `chat` payload of a command reply: a `final` with `seq` 1 and `stopReason: "command"`, so a
 * client shows it like any answer (reference Appendix A).
 */
export function commandReplyEvent(reply: CommandReply, now: number): Record<string, unknown> {
  return {
    runId: reply.runId,
    sessionKey: reply.sessionKey,
    agentId: reply.agentId,
    seq: 1,
    state: "final",
    stopReason: "command",
    message: assistant(reply.text, now),
  };
}

function assistant(text: string, timestamp: number) {
  return { role: "assistant", content: [{ type: "text", text }], timestamp };
}
