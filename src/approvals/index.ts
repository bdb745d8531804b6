export { ExecApprovals, DEFAULT_APPROVAL_TIMEOUT_MS } from "./manager.js";
export { AllowAlwaysStore } from "./store.js";
export { approvalMethods, approvalCommands, forwardApprovalEvents } from "./methods.js";
export type {
  ApprovalDecision,
  ApprovalOutcome,
  ApprovalRequest,
  ApprovalInput,
  ArgvPattern,
  ApprovalTaint,
} from "./types.js";
