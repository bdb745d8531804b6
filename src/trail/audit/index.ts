import type { AuditCheck } from "../../audit/index.js";
import { trailFilesCheck } from "./trail-files.js";

/** The trail stage's `security audit` checks. */
export const trailAuditChecks: readonly AuditCheck[] = [trailFilesCheck];
