export {
  STATE_FILE_MODE,
  assertOwnDir,
  STATE_DIR_MODE,
  ensurePrivateDir,
  writeFileAtomic,
  writeJsonAtomic,
  readFileIfExists,
  readStateFile,
} from "./fs-atomic.js";
export { AEAD, SCRYPT_PARAMS, scryptKey, sealBytes, openBytes, keyId, type ScryptParams } from "./aead.js";
export { isSealed, sealWhole, openSealed, type KeyRing } from "./envelope.js";
export {
  installStateCipher,
  stateCipher,
  encodeStateFile,
  decodeStateFile,
  appendCodec,
  conformFile,
  type StateCipher,
  type AppendCodec,
} from "./state-cipher.js";
export { sealColumn, openColumn, recodeColumn, isSealedColumn } from "./column-cipher.js";
export { JsonFileStore, stateFileEvents, type CorruptStateFile } from "./json-store.js";
export { type Clock, systemClock } from "./clock.js";
export { type Decision, type Allowed, type Denied, allow, deny } from "./decision.js";
export { secretEquals } from "./secret-equal.js";
export { backoffDelayMs } from "./backoff.js";
export { PACKAGE_ROOT, PACKAGE_VERSION } from "./package-root.js";
export { escapeRegExp } from "./regexp.js";
export { mapStringsDeep } from "./map-strings.js";
export { AbortRace, abortable } from "./abortable.js";
export { cliName, cliHint } from "./cli-hint.js";
export { nearest, editDistance } from "./nearest.js";
export { tryListen, findPortHolder, type PortHolder } from "./port-holder.js";
export { redactUrl } from "./redact-url.js";
