import type { AuditCheck } from "../../audit/index.js";
import { logFilesCheck } from "./log-files.js";
import { redactOffCheck } from "./redact-off.js";

/** Logging checks (log file privacy, redaction switch). */
export const loggingAuditChecks: readonly AuditCheck[] = [logFilesCheck, redactOffCheck];
