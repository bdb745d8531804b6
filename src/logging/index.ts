export { createLogger, silentLogger, type Logger } from "./logger.js";
export { Redactor } from "./redact.js";
export { parseRedactPattern } from "./patterns.js";
export { DEFAULT_LOG_DIR } from "./log-file.js";
export { findLogFiles, tailAcross, followLog, formatLogLine, fileSize } from "./log-reader.js";
export { secretMatcher, MIN_ENCODED_SECRET_CHARS, type SecretMatcher } from "./secret-forms.js";
export { FULL_MASK } from "./mask.js";
