import type { ChatMessage } from "../sessions/index.js";
import type { ModelRequest } from "./providers/types.js";

/** Masks configured secrets in text bound for a provider (the secrets stage's model-bound leak scan). */
export type ModelBoundMask = (text: string) => string;

/**
 * Applies the model-bound leak scan to a whole model request: the system prompt, every message's
 * text (tool results included) and the string values of tool-call arguments. Images are not text and
 * pass unchanged. A message is masked once per mask function (messages of a run are sent again on
 * every model call), so the cost per call is the new messages only.
 * Source: the containment issue ("tool results and any text sent to a provider pass the same secret
 * detectors as replies").
 */
export class ModelBoundGuard {
  private readonly seen = new WeakMap<ChatMessage, { readonly mask: ModelBoundMask; readonly out: ChatMessage }>();

  constructor(private readonly mask: () => ModelBoundMask) {}

  request<R extends Pick<ModelRequest, "system" | "messages">>(req: R): R {
    const mask = this.mask();
    return { ...req, system: mask(req.system), messages: req.messages.map((m) => this.message(m, mask)) };
  }

  private message(m: ChatMessage, mask: ModelBoundMask): ChatMessage {
    const hit = this.seen.get(m);
    if (hit && hit.mask === mask) return hit.out;
    const content = mask(m.content);
    const before = m.role === "assistant" ? m.toolCalls : undefined;
    const calls = before?.map((c) => ({ ...c, arguments: maskValue(c.arguments, mask) }));
    const changed = content !== m.content || JSON.stringify(calls) !== JSON.stringify(before);
    const out = (changed ? { ...m, content, ...(calls ? { toolCalls: calls } : {}) } : m) as ChatMessage;
    this.seen.set(m, { mask, out });
    return out;
  }
}

function maskValue<T>(value: T, mask: ModelBoundMask): T {
  if (typeof value === "string") return mask(value) as T;
  if (Array.isArray(value)) return value.map((v: unknown) => maskValue(v, mask)) as T;
  if (value !== null && typeof value === "object")
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, maskValue(v, mask)])) as T;
  return value;
}
