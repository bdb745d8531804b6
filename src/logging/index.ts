export {
  createLogger,
  silentLogger,
  redactPaths,
  type Logger,
  type LoggerOptions,
  type RedactSensitive,
} from "./logger.js";
export { Redactor, type RedactorOptions, type SecretValueSource } from "./redact.js";
export { maskSecret, isMasked, MASK_HINT_MIN_CHARS } from "./mask.js";
export { parseRedactPattern, type PatternParse } from "./patterns.js";
export { LogFile, datedLogFile, DEFAULT_LOG_DIR, DEFAULT_MAX_FILE_BYTES, type LogFileOptions } from "./log-file.js";
export { findLogFiles, tailLines, tailAcross, followLog, formatLogLine, fileSize } from "./log-reader.js";
