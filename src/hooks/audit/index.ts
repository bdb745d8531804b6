import type { AuditCheck } from "../../audit/index.js";
import { gmailCheck } from "./gmail.js";
import { hooksCheck } from "./hooks.js";

/** Webhook ingress checks (reference §9.4 "Hooks"). */
export const hooksAuditChecks: readonly AuditCheck[] = [hooksCheck, gmailCheck];
