export {
  createLogger,
  silentLogger,
  defaultConsoleStyle,
  type Logger,
  type ConsoleStyle,
  type LoggerOptions,
} from "./logger.js";
export { Redactor } from "./redact.js";
export { parseRedactPattern } from "./patterns.js";
export { defaultLogDir, checkLogTarget, datedLogFile, DEFAULT_MAX_FILES } from "./log-file.js";
export { instanceId } from "./instance.js";
export {
  findLogFiles,
  tailAcross,
  followLog,
  formatLogLine,
  lineInstance,
  fileSize,
  type LogLineFields,
} from "./log-reader.js";
export { secretMatcher, MIN_ENCODED_SECRET_CHARS, type SecretMatcher } from "./secret-forms.js";
export { FULL_MASK } from "./mask.js";
