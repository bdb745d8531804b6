export type { ToolSpec, ToolContext, ToolResult, ToolDefinition, AnyToolDefinition } from "./types.js";
export { type ToolGate, type GateCall } from "./gate.js";
export { ToolRuntime, MAX_TOOL_RESULT_CHARS } from "./runtime.js";
export {
  PROVIDED_TOOLS,
  TOOL_ALIASES,
  TOOL_GROUPS,
  TOOL_PROFILES,
  DEFAULT_TOOL_PROFILE,
  normalizeToolName,
  isKnownToolName,
  knownToolNames,
  expandEntries,
  type ToolProfile,
} from "./catalog.js";
export { toolPolicyLayers, decideTool, allowedTools, type PolicyLayer, type ToolPolicyContext } from "./policy.js";
export { unknownToolEntries, assertToolPolicyConfig } from "./policy-config.js";
export { PolicyGate, type GateSandbox } from "./policy-gate.js";
export { readTool, writeTool, editTool, READ_MAX_BYTES, type ScopeFor } from "./fs-tools.js";
export { applyPatchTool } from "./apply-patch-tool.js";
export { resolveToolPath, resolveConfined, isInside, type FsScope, type VirtualMount } from "./fs-scope.js";
export { openForRead, openForWrite } from "./fs-io.js";
export {
  execTool,
  DEFAULT_EXEC_LIMITS,
  type ExecLimits,
  type ExecTarget,
  type ExecApprover,
  type ExecToolDeps,
} from "./exec-tool.js";
export { formatExecResult } from "./exec-format.js";
export { parseCommandLine, canonicalCommand } from "./exec-parse.js";
export { resolveSegments, type ResolvedSegment } from "./exec-resolve.js";
export {
  decideExec,
  DEFAULT_SAFE_BINS,
  DEFAULT_SAFE_BIN_DIRS,
  type ExecPolicy,
  type AllowEntry,
  type ExecVerdict,
} from "./exec-policy.js";
export { ExecAuditor, redactSecrets, type ExecAuditRecord } from "./exec-audit.js";
export { ProcessRegistry, processTool } from "./processes.js";
export { webFetchTool, DEFAULT_WEB_FETCH, type WebFetchSettings } from "./web-fetch.js";
export { webSearchTool, WEB_SEARCH_BASE_URLS, type WebSearchSettings } from "./web-search.js";
export { sessionsTools, type SessionsAccess, type SessionsPolicy } from "./sessions-tools.js";
export { messageTool, type ChannelOutbound } from "./message-tool.js";
export { memoryTools } from "./memory-tools.js";
export { imageTool, type ImageDescriber, type ImageInput } from "./image-tool.js";
export { ElevatedSessions, elevatedGate, elevatedCommand, elevatedSenderOf } from "./elevated.js";
export {
  execSecurity,
  configAllowlist,
  execPolicyBase,
  execLimits,
  webFetchSettings,
  webSearchSettings,
} from "./settings.js";
export { ToolEnvironment, type ToolEnvironmentDeps } from "./environment.js";
export { createToolStage, type ToolStage, type ToolStageDeps } from "./stage.js";
export type { SessionsReader, SessionRunStarter, SessionRunEvent } from "./sessions-access.js";
