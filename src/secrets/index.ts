export { listSecretSlots, type SecretSlot } from "./secret-paths.js";
export { SecretsSnapshot, type SecretsView, MIN_REDACTED_SECRET_CHARS } from "./snapshot.js";
export { SecretsRuntime, type SecretsSwap } from "./runtime.js";
export {
  resolveAll,
  resolveSecrets,
  asRef,
  type SecretFailure,
  type SecretResolution,
  type ResolveOptions,
} from "./resolve.js";
export { providerFor, defaultAlias, invalidIdReason, envShorthand, type SecretProviderConfig } from "./providers.js";
export { insecureFileReason, secretFilePath } from "./sources/file.js";
export { readJsonPointer, writeJsonPointer } from "./sources/json-pointer.js";
export {
  guardOutboundText,
  containsSecret,
  StreamLeakGuard,
  WITHHELD_NOTICE,
  type OutboundVerdict,
} from "./outbound.js";
export { runEventGuard, outboundGuard, type GuardedEvent, type GuardedRunEvent } from "./run-guard.js";
export { createSecretsStage, type SecretsStage, type SecretsStageDeps, type SecretsReloadResult } from "./stage.js";
export { plaintextSecretPaths } from "./plaintext.js";
export { toolEnvLeaks, type ToolEnvLeak } from "./tool-env.js";
export { looseSecretFiles, type LooseSecretFile } from "./file-modes.js";
export {
  auditSecrets,
  secretsAuditExitCode,
  type SecretsAuditReport,
  type SecretsAuditFinding,
  type SecretsAuditCode,
  type SecretsAuditInput,
} from "./secrets-audit.js";
export { parseSecretsPlan, SecretsPlanSchema, type SecretsPlan } from "./apply-plan.js";
export { applySecretsPlan, type ApplyResult } from "./apply.js";
