import type { AuditCheck } from "../../audit/index.js";
import { modelsCheck } from "./models.js";

/** Model-choice checks. */
export const agentAuditChecks: readonly AuditCheck[] = [modelsCheck];
