import type { Decision } from "../infra/index.js";
import type { ToolContext } from "./types.js";

/** A tool call as the gate sees it: the canonical tool name and validated arguments. */
export interface GateCall {
  readonly name: string;
  readonly arguments: Record<string, unknown>;
}

/**
 * Why the gate let a call through: the policy admits it; or, in a turn that read untrusted content,
 * an owner approved it (`taint_approved`) or `tools.taint.mode` is `warn` (`taint_warned`).
 */
export type ToolGateAllowReason = "tool_allowed" | "taint_approved" | "taint_warned";
/**
 * Why the gate refused a call: the tool policy; a sandboxed session whose sandbox is unavailable; a
 * host session's file or command tool whose host jail cannot run; a dangerous call in a turn that read
 * untrusted content, refused by `tools.taint.mode: deny` (`taint_denied`) or not approved
 * (`taint_not_approved`).
 */
export type ToolGateDenyReason =
  | "tool_denied"
  | "tool_not_allowed"
  | "sandbox_unavailable"
  | "jail_unavailable"
  | "taint_denied"
  | "taint_not_approved";
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
