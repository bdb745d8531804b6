export type { ToolSpec, ToolContext, AnyToolDefinition } from "./types.js";
export type { ToolGate } from "./gate.js";
export { ToolRuntime } from "./runtime.js";
export { TOOL_ALIASES } from "./catalog.js";
export { toolPolicyLayers, decideTool } from "./policy.js";
export { readTool } from "./file-tools.js";
export type { ToolFiles } from "./jail-files.js";
export { resolveSegments } from "./exec-resolve.js";
export { decideExec, DEFAULT_SAFE_BINS, DEFAULT_SAFE_BIN_DIRS, type ExecPolicy } from "./exec-policy.js";
export type { ChannelOutbound, ChannelSendResult } from "./message-tool.js";
export { execSecurity, execPolicyBase, execLimits } from "./settings.js";
export { createToolStage, type ToolStage, type ToolStageDeps } from "./stage.js";
export {
  TurnTaint,
  resultProvenance,
  dangerousCall,
  taintModeFor,
  SCRATCH_DIR,
  type TaintMode,
} from "./taint.js";
