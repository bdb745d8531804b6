import type { z } from "zod";
import type { Logger } from "../logging/index.js";
import type { TurnTaint } from "./turn-taint.js";

/** A tool as shown to the model: name, description and a JSON Schema for its arguments. */
export interface ToolSpec {
  readonly name: string;
  readonly description: string;
  readonly parameters: Record<string, unknown>;
}

/** Who and where a tool call runs for. */
export interface ToolContext {
  readonly agentId: string;
  readonly sessionKey: string;
  readonly runId: string;
  /** Host path the file tools operate in (the agent workspace, or a sandbox workspace). */
  readonly workspaceDir: string;
  /** The model provider id of the run (for `tools.byProvider`). */
  readonly provider?: string;
  /** The provider-local model id of the run (for `tools.byProvider."<provider>/<model>"`). */
  readonly model?: string;
  /** The channel sender that started the run, when it came from a channel. */
  readonly sender?: {
    readonly channel: string;
    readonly accountId?: string;
    readonly id: string;
    readonly chatType?: "direct" | "group";
    readonly chatId?: string;
  };
  readonly signal: AbortSignal;
  readonly log: Logger;
  /**
   * The untrusted content this turn has read so far (its message, its history, web and inbound-file
   * tool results). Absent: the turn is the owner's and has read nothing untrusted.
   */
  readonly taint?: TurnTaint;
}

/** What a tool returns to the model. `content` is plain text (capped by the runtime). */
export interface ToolResult {
  readonly content: string;
  readonly isError?: boolean;
  /**
   * True when the tool did not run or read nothing from outside: the gate or the runtime refused the
   * call, or the tool refused or failed before it read anything (a refused URL, a network failure).
   * The content is holdfast's own words, so it does not taint the turn the way a fetched page, even
   * an HTTP error page, does (docs/tools.md "Untrusted content").
   */
  readonly refused?: true;
}

/**
 * A tool. `parameters` validates the model's arguments; the runtime shows the model its JSON Schema.
 * `execute` throws only for real failures; the runtime turns those into error results.
 */
export interface ToolDefinition<A = Record<string, unknown>> {
  readonly name: string;
  readonly description: string;
  readonly parameters: z.ZodType<A>;
  execute(args: A, ctx: ToolContext): Promise<ToolResult>;
}

/** A tool definition with its argument type erased (for registries). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyToolDefinition = ToolDefinition<any>;
