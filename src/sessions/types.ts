import type { SessionIndexEntry } from "../store/index.js";
import type { Provenance } from "./provenance.js";

/** A tool call the model asked for. `arguments` is the parsed JSON object the model sent. */
export interface ToolCall {
  readonly id: string;
  readonly name: string;
  readonly arguments: Record<string, unknown>;
}

/** Who sent a user message, when it came from a channel. */
export interface MessageSender {
  readonly channel: string;
  readonly id: string;
  readonly name?: string;
}

/**
 * One message of a conversation, as stored in a transcript and handed to model providers.
 * `timestamp` is ms since the epoch; `runId` names the run that wrote it (absent in older transcripts).
 *
 * An assistant message with `partial: true` holds less than the model meant to say: the run ended
 * first (`stopReason` says why: `interrupted` when the process died mid-run, `timeout`, `error`,
 * `aborted`). Its `content` is what had been produced (empty for an interruption). Providers are
 * never sent an empty partial message.
 */
export type ChatMessage =
  | {
      readonly role: "user";
      readonly content: string;
      readonly timestamp: number;
      readonly sender?: MessageSender;
      readonly runId?: string;
      /** Where the text came from (absent in older transcripts: the owner when there is no sender). */
      readonly provenance?: Provenance;
    }
  | {
      readonly role: "assistant";
      readonly content: string;
      readonly toolCalls?: readonly ToolCall[];
      readonly timestamp: number;
      readonly model?: string;
      readonly stopReason?: string;
      readonly runId?: string;
      /** Present (always `true`) when the run ended before the reply was complete; see above. */
      readonly partial?: true;
    }
  | {
      readonly role: "tool";
      readonly toolCallId: string;
      readonly name: string;
      readonly content: string;
      readonly isError?: boolean;
      readonly timestamp: number;
      readonly runId?: string;
      /** Set when the result is untrusted content (a web page, a search result, an inbound file). */
      readonly provenance?: Provenance;
    };

/** The transcript mark of a run that the process never finished (written at the next start). */
export function interruptedMark(runId: string, timestamp: number): ChatMessage {
  return { role: "assistant", content: "", partial: true, stopReason: "interrupted", runId, timestamp };
}

/** True for a partial assistant message with nothing in it (an interruption mark): not for providers. */
export function isEmptyPartial(m: ChatMessage): boolean {
  return m.role === "assistant" && m.partial === true && m.content === "" && !m.toolCalls?.length;
}

/** Index entry for one session (a row of the state database's session index). Times are ms since the epoch. */
export type SessionMeta = SessionIndexEntry;
