import type { ErrorCode } from "../errors/index.js";

/**
 * What an agent run reports while it works, in order: `status`/`tool`/`delta` events, then exactly
 * one `final` or `error`.
 */
export type AgentEvent =
  | { readonly type: "status"; readonly phase: "thinking" | "running_tool"; readonly tool?: string }
  | {
      readonly type: "status";
      readonly phase: "retrying_model";
      /** The model ref being retried, the retry's number (from 1) and the most there will be. */
      readonly model: string;
      readonly retry: number;
      readonly maxRetries: number;
      /** Wait before the retry (ms). */
      readonly delayMs: number;
      /** The failure that is retried, and its catalogue code. */
      readonly reason: string;
      readonly code: ErrorCode;
    }
  | {
      readonly type: "status";
      readonly phase: "model_failover";
      readonly from: string;
      readonly to: string;
      /** Why `from` was given up. */
      readonly code: ErrorCode;
    }
  | { readonly type: "delta"; readonly text: string; readonly accumulated: string }
  | {
      readonly type: "tool";
      readonly phase: "start" | "end";
      readonly name: string;
      readonly toolCallId: string;
      readonly isError?: boolean;
      readonly decision?: string;
      /** `start`: the arguments the model sent. */
      readonly args?: Record<string, unknown>;
      /** `end`: the result text the model gets back. */
      readonly result?: string;
    }
  | { readonly type: "final"; readonly text: string; readonly stopReason: string; readonly model?: string }
  | {
      readonly type: "error";
      readonly message: string;
      readonly code: ErrorCode;
      /** Text the model had streamed before it failed; kept in the transcript marked `partial`. */
      readonly partialText?: string;
    };
