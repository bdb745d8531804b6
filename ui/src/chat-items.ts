/** One entry of the chat view (what history and live events both turn into). */
export type ChatItem =
  | { readonly kind: "user"; readonly id: string; readonly text: string; readonly runId?: string }
  | {
      readonly kind: "assistant";
      readonly id: string;
      readonly runId: string;
      readonly text: string;
      /** False while it streams. */
      readonly final: boolean;
      /** Why an incomplete reply stopped (`interrupted`, `aborted`, ...), shown with it. */
      readonly incomplete?: string;
    }
  | {
      readonly kind: "tool";
      readonly id: string;
      readonly runId: string;
      readonly name: string;
      readonly args?: unknown;
      readonly result?: string;
      readonly isError?: boolean;
      readonly decision?: string;
      readonly done: boolean;
    }
  | { readonly kind: "error"; readonly id: string; readonly runId?: string; readonly text: string };

/** A content part of a wire message: text, or (assistant) a tool call. */
type HistoryPart =
  | { readonly type: "text"; readonly text: string }
  | { readonly type: "toolCall"; readonly id: string; readonly name: string; readonly arguments?: unknown }
  | { readonly type: string };

/**
 * A transcript message as `chat.history` returns it (the reference wire shape): a user message has a
 * text `content`; an assistant message has `content` parts (`text`, then `toolCall` parts); a tool
 * result is `role: "toolResult"` with text parts.
 */
export interface HistoryMessage {
  readonly role: "user" | "assistant" | "toolResult";
  readonly content: string | readonly HistoryPart[];
  readonly runId?: string;
  readonly stopReason?: string;
  readonly partial?: boolean;
  readonly toolCallId?: string;
  readonly toolName?: string;
  readonly isError?: boolean;
}

/** The text of a message's content: the string itself, or its text parts joined. */
function textOf(content: HistoryMessage["content"]): string {
  if (typeof content === "string") return content;
  return content.map((p) => (p.type === "text" && "text" in p ? p.text : "")).join("");
}

/** The tool calls among an assistant message's parts. */
function toolCallsOf(content: HistoryMessage["content"]) {
  if (typeof content === "string") return [];
  return content.filter(
    (p): p is { type: "toolCall"; id: string; name: string; arguments?: unknown } => p.type === "toolCall",
  );
}

const INTERRUPTED = "interrupted: the gateway stopped before this reply was complete";
/** The error line live shows after a stopped run (`chat.abort`). */
const ABORTED_LINE = errorText("run aborted", "HF_RUN_ABORTED");
/** Shown under a partial reply of a failed run in history (the live error text is not kept). */
const FAILED_LINE = "the run failed before this reply was complete";

/** The chat view of a transcript: the same items the live events of those runs produced. */
export function itemsFromHistory(messages: readonly HistoryMessage[]): ChatItem[] {
  let items: ChatItem[] = [];
  messages.forEach((m, i) => {
    const runId = m.runId ?? `h${i}`;
    const text = textOf(m.content);
    if (m.role === "user") items.push({ kind: "user", id: `h${i}`, text, ...(m.runId ? { runId } : {}) });
    else if (m.role === "assistant") {
      if (m.partial && m.stopReason === "interrupted" && !text)
        items.push({ kind: "error", id: `h${i}`, runId, text: INTERRUPTED });
      else if (text)
        items.push({
          kind: "assistant",
          id: `h${i}`,
          runId,
          text,
          final: true,
          ...(m.partial ? { incomplete: m.stopReason ?? "partial" } : {}),
        });
      if (m.partial && text && (m.stopReason === "aborted" || m.stopReason === "timeout" || m.stopReason === "error"))
        items.push({
          kind: "error",
          id: `e-${runId}`,
          runId,
          text: m.stopReason === "aborted" ? ABORTED_LINE : FAILED_LINE,
        });
      for (const c of toolCallsOf(m.content))
        items.push({ kind: "tool", id: c.id, runId, name: c.name, args: c.arguments, done: false });
    } else if (m.role === "toolResult") {
      items = patchTool(items, m.toolCallId ?? "", {
        result: text,
        done: true,
        ...(m.isError ? { isError: true } : {}),
      });
    }
  });
  return items;
}

/**
 * Adds a message the gateway acknowledged, unless its run is already shown: a message whose first ack
 * was lost (the gateway went down) comes back in history and is then acked again as a duplicate.
 */
export function withAckedMessage(
  items: readonly ChatItem[],
  msg: { readonly id: string; readonly text: string; readonly runId?: string },
): ChatItem[] {
  if (msg.runId && items.some((i) => i.kind === "user" && i.runId === msg.runId)) return [...items];
  return [...items, { kind: "user", id: msg.id, text: msg.text, ...(msg.runId ? { runId: msg.runId } : {}) }];
}

/** A `chat` event payload (reference Appendix A), as far as the view reads it. */
export interface ChatEvent {
  readonly runId: string;
  readonly sessionKey: string;
  readonly state: string;
  readonly message?: { readonly content?: readonly { readonly text?: string }[] };
  readonly stopReason?: string;
  readonly errorMessage?: string;
  readonly errorCode?: string;
  /** `error`: text had streamed before the run ended (the transcript keeps it marked partial). */
  readonly partial?: boolean;
}

/** An `agent` event with `stream: "tool"`. */
export interface ToolEvent {
  readonly runId: string;
  readonly sessionKey: string;
  readonly data: {
    readonly phase: "start" | "end";
    readonly name: string;
    readonly toolCallId: string;
    readonly args?: unknown;
    readonly result?: string;
    readonly isError?: boolean;
    readonly decision?: string;
  };
}

/**
 * Applies a live `chat` event: a `delta` or `final` updates the run's current reply (a new reply starts
 * after a tool step), `error` adds the error with its cause. A delta for a reply already final (history
 * loaded while the run ended) changes nothing.
 */
export function applyChatEvent(items: readonly ChatItem[], ev: ChatEvent): ChatItem[] {
  if (ev.state === "error")
    return [
      ...(ev.partial ? endPartial(items, ev) : items),
      { kind: "error", id: `e-${ev.runId}`, runId: ev.runId, text: errorText(ev.errorMessage, ev.errorCode) },
    ];
  if (ev.state !== "delta" && ev.state !== "final") return [...items];
  const text = ev.message?.content?.[0]?.text ?? "";
  const final = ev.state === "final";
  const at = lastIndexOfRun(items, ev.runId);
  const last = at >= 0 ? items[at] : undefined;
  if (last?.kind === "assistant") {
    if (last.final && !final) return [...items];
    const next = [...items];
    next[at] = { ...last, text, final, ...(incompleteOf(ev.stopReason, final) ?? {}) };
    return next;
  }
  return [
    ...items,
    {
      kind: "assistant",
      id: `${ev.runId}:${items.length}`,
      runId: ev.runId,
      text,
      final,
      ...(incompleteOf(ev.stopReason, final) ?? {}),
    },
  ];
}

/** Applies a live tool step: `start` adds it (with its arguments), `end` adds its (redacted) result. */
export function applyToolEvent(items: readonly ChatItem[], ev: ToolEvent): ChatItem[] {
  const d = ev.data;
  if (d.phase === "start" && !items.some((i) => i.kind === "tool" && i.id === d.toolCallId))
    return [...items, { kind: "tool", id: d.toolCallId, runId: ev.runId, name: d.name, args: d.args, done: false }];
  if (d.phase !== "end") return [...items];
  return patchTool([...items], d.toolCallId, {
    done: true,
    ...(d.result !== undefined ? { result: d.result } : {}),
    ...(d.isError ? { isError: true } : {}),
    ...(d.decision ? { decision: d.decision } : {}),
  });
}

/** The error line of a failed run: the gateway's message (it names the cause) and its code. */
export function errorText(message: string | undefined, code: string | undefined): string {
  const m = message || "the run failed";
  return code && !m.includes(code) ? `${m} (${code})` : m;
}

/** The run's streaming reply, ended as history shows it: final, marked with why it stopped short. */
function endPartial(items: readonly ChatItem[], ev: ChatEvent): ChatItem[] {
  const at = lastIndexOfRun(items, ev.runId);
  const last = at >= 0 ? items[at] : undefined;
  if (last?.kind !== "assistant" || last.final) return [...items];
  const next = [...items];
  const why =
    ev.errorCode === "HF_RUN_ABORTED" ? "aborted" : ev.errorCode === "HF_PROVIDER_TIMEOUT" ? "timeout" : "error";
  next[at] = { ...last, final: true, incomplete: why };
  return next;
}

function incompleteOf(stopReason: string | undefined, final: boolean): { incomplete: string } | undefined {
  return final && stopReason && ["aborted", "interrupted", "length", "max_tokens"].includes(stopReason)
    ? { incomplete: stopReason }
    : undefined;
}

function lastIndexOfRun(items: readonly ChatItem[], runId: string): number {
  for (let i = items.length - 1; i >= 0; i--) if ((items[i] as { runId?: string }).runId === runId) return i;
  return -1;
}

function patchTool(items: ChatItem[], id: string, patch: Partial<Extract<ChatItem, { kind: "tool" }>>): ChatItem[] {
  return items.map((i) => (i.kind === "tool" && i.id === id ? { ...i, ...patch } : i));
}
