import path from "node:path";
import { allow, deny, type Decision } from "../infra/index.js";
import type { ToolContext } from "./types.js";

/** A tool call as the gate sees it: the canonical tool name and validated arguments. */
export interface GateCall {
  readonly name: string;
  readonly arguments: Record<string, unknown>;
}

/**
 * The single tool-policy gate every call passes through. `visible` picks the tools the model is shown
 * for a context; `check` decides one call. Both return values, never throw.
 */
export interface ToolGate {
  visible(names: readonly string[], ctx: ToolContext): string[];
  check(call: GateCall, ctx: ToolContext): Decision | Promise<Decision>;
}

/**
 * The minimal gate: every registered tool is visible and allowed, except that `exec` must run with the
 * workspace (or a directory inside it) as its working directory.
 */
export const workspaceGate: ToolGate = {
  visible: (names) => [...names],
  check(call, ctx) {
    if (call.name !== "exec") return allow("tool_allowed");
    const cwd = typeof call.arguments.cwd === "string" ? path.resolve(ctx.workspaceDir, call.arguments.cwd) : ctx.workspaceDir;
    const rel = path.relative(ctx.workspaceDir, cwd);
    if (rel.startsWith("..") || path.isAbsolute(rel)) return deny("exec_cwd_outside_workspace", "exec must run inside the workspace");
    return allow("tool_allowed");
  },
};
