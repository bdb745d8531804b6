export type { ToolSpec, ToolContext, ToolResult, ToolDefinition, AnyToolDefinition } from "./types.js";
export { type ToolGate, type GateCall, workspaceGate } from "./gate.js";
export { ToolRuntime, MAX_TOOL_RESULT_CHARS } from "./runtime.js";
export { readTool, writeTool, editTool, READ_MAX_BYTES } from "./fs-tools.js";
export { execTool, formatExecResult, DEFAULT_EXEC_LIMITS, type ExecLimits } from "./exec-tool.js";
export { resolveInWorkspace, isInside } from "./workspace-path.js";
