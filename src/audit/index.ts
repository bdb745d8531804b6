export { finding, SEVERITIES, type Finding, type Severity, type AuditArea, type Check } from "./check.js";
export type { AuditCheck, AuditContext, MachineFacts, ProbeOutcome } from "./types.js";
export { channelScopes, openPolicies, bindIsLoopback, isRemotelyExposed, type ChannelScope } from "./exposure.js";
export { toolReachable, anyAgentReaches, agentsOf, execSecurity, sandboxMode } from "./tool-reach.js";
export {
  inspectPath,
  listDir,
  groupOrWorldWritable,
  worldReadable,
  groupReadable,
  notPrivate,
  octal,
  type PathState,
} from "./fs-mode.js";
export { loadAuditContext, type AuditContextOptions } from "./context.js";
export { runAudit, failsAt, sortFindings, withFindings, type AuditReport, type SuppressedFinding } from "./runner.js";
export { formatReport, reportJson } from "./output.js";
export { attackSurfaceCheck } from "./summary-check.js";
export { applySafeFixes, tightenConfig, type FixResult, type ChmodAction } from "./fix.js";
export { deepProbe, type DeepProbeOptions, type DeepProbeResult, type InterfaceAddress } from "./deep.js";
