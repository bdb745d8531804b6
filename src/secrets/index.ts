export { listSecretSlots, CREDENTIAL_ENV_VARS } from "./secret-paths.js";
export { SecretsSnapshot, type SecretsView } from "./snapshot.js";
export { SecretsRuntime } from "./runtime.js";
export { resolveAll, resolveSecrets, type SecretFailure, type SecretResolution } from "./resolve.js";
export { WITHHELD_NOTICE, MODEL_SECRET_MASK } from "./outbound.js";
export { createSecretsStage, type SecretsStage } from "./stage.js";
export { auditSecrets, secretsAuditExitCode, type SecretsAuditReport } from "./secrets-audit.js";
export { parseSecretsPlan } from "./apply-plan.js";
export { applySecretsPlan } from "./apply.js";
