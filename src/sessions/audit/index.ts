import type { AuditCheck } from "../../audit/index.js";
import { transcriptsCheck } from "./transcripts.js";

/** Session store checks (transcript privacy on disk). */
export const sessionsAuditChecks: readonly AuditCheck[] = [transcriptsCheck];
