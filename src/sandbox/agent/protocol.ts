import type { FileOpsRequest, FileOpsResponse } from "../fileops/protocol.js";
import type { ExecResult } from "../types.js";

/**
 * Messages between the gateway and a jail agent: one JSON object per line on the agent's stdin
 * (requests) and stdout (replies). Ids are chosen by the gateway and echoed back.
 */
export type AgentRequest =
  | {
      readonly t: "exec";
      readonly id: number;
      readonly argv: readonly string[];
      /** Prepended to argv: the per-command limits (`prlimit ... --`). */
      readonly prefix: readonly string[];
      readonly cwd: string;
      readonly env: Readonly<Record<string, string>>;
      readonly timeoutMs: number;
      readonly maxOutputBytes: number;
      /** stdin bytes, base64. */
      readonly stdin?: string;
      /** Give the command a fresh, empty HOME under the jail's /tmp (removed afterwards). */
      readonly privateHome?: boolean;
    }
  | { readonly t: "kill"; readonly id: number }
  | { readonly t: "files"; readonly id: number; readonly request: FileOpsRequest };

export type AgentReply =
  | { readonly t: "ready" }
  | { readonly t: "exec"; readonly id: number; readonly result: ExecResult }
  | { readonly t: "files"; readonly id: number; readonly response: FileOpsResponse }
  | { readonly t: "error"; readonly id: number; readonly message: string };
