import type { ChatMessage } from "../sessions/index.js";
import type { TranscriptPruning } from "./policy.js";

/**
 * The messages a transcript keeps under `sessionPruning` (oldest first): those not older than
 * `maxAgeMs`, then the newest `maxMessages`. Tool results left at the start without the assistant
 * message that called them are dropped too (a provider refuses a result with no call).
 */
export function trimMessages(
  messages: readonly ChatMessage[],
  pruning: TranscriptPruning,
  now: number,
): readonly ChatMessage[] {
  let start = 0;
  if (pruning.maxAgeMs !== undefined) {
    const cutoff = now - pruning.maxAgeMs;
    while (start < messages.length && (messages[start] as ChatMessage).timestamp < cutoff) start++;
  }
  if (pruning.maxMessages !== undefined) start = Math.max(start, messages.length - pruning.maxMessages);
  while (start < messages.length && (messages[start] as ChatMessage).role === "tool") start++;
  return start === 0 ? messages : messages.slice(start);
}
