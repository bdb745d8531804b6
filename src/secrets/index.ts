export { listSecretSlots, type SecretSlot } from "./secret-paths.js";
export { SecretsSnapshot, type SecretsView, MIN_REDACTED_SECRET_CHARS } from "./snapshot.js";
export { SecretsRuntime, type SecretsSwap } from "./runtime.js";
export { resolveAll, resolveSecrets, asRef, type SecretFailure, type SecretResolution, type ResolveOptions } from "./resolve.js";
export { providerFor, defaultAlias, invalidIdReason, envShorthand, type SecretProviderConfig } from "./providers.js";
export { insecureFileReason, secretFilePath } from "./sources/file.js";
export { readJsonPointer, writeJsonPointer } from "./sources/json-pointer.js";
export { guardOutboundText, containsSecret, StreamLeakGuard, WITHHELD_NOTICE, type OutboundVerdict } from "./outbound.js";
