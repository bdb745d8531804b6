import type { Decision } from "../infra/index.js";
import type { ToolContext } from "./types.js";

/** A tool call as the gate sees it: the canonical tool name and validated arguments. */
export interface GateCall {
  readonly name: string;
  readonly arguments: Record<string, unknown>;
}

/**
 * The single tool-policy gate every call passes through. `visible` picks the tools the model is shown
 * for a context; `check` decides one call. Both return values, never throw. The tool-policy
 * implementation is {@link PolicyGate} (policy-gate.ts).
 */
export interface ToolGate {
  visible(names: readonly string[], ctx: ToolContext): string[];
  check(call: GateCall, ctx: ToolContext): Decision | Promise<Decision>;
}
