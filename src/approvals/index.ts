export { ExecApprovals, DEFAULT_APPROVAL_TIMEOUT_MS, type ExecApprovalsOptions } from "./manager.js";
export { AllowAlwaysStore, type PersistedEntry } from "./store.js";
export { approvalMethods, approvalCommands, forwardApprovalEvents } from "./methods.js";
export type {
  ApprovalDecision,
  ApprovalOutcome,
  ApprovalRequest,
  ApprovalInput,
  ApprovalEvent,
  ArgvPattern,
} from "./types.js";
