import type { Decision } from "../infra/index.js";
import type { ToolContext } from "./types.js";

/** A tool call as the gate sees it: the canonical tool name and validated arguments. */
export interface GateCall {
  readonly name: string;
  readonly arguments: Record<string, unknown>;
}

/** Why the gate let a call through. */
export type ToolGateAllowReason = "tool_allowed";
/**
 * Why the gate refused a call: the tool policy; a sandboxed session whose sandbox is unavailable; a
 * host session's file or command tool whose host jail cannot run.
 */
export type ToolGateDenyReason = "tool_denied" | "tool_not_allowed" | "sandbox_unavailable" | "jail_unavailable";
/** A gate decision on one tool call. */
export type ToolGateDecision = Decision<ToolGateAllowReason, ToolGateDenyReason>;

/**
 * The single tool-policy gate every call passes through. `visible` picks the tools the model is shown
 * for a context; `check` decides one call. Both return values, never throw. The tool-policy
 * implementation is {@link PolicyGate} (policy-gate.ts).
 */
export interface ToolGate {
  visible(names: readonly string[], ctx: ToolContext): string[];
  check(call: GateCall, ctx: ToolContext): ToolGateDecision | Promise<ToolGateDecision>;
}
