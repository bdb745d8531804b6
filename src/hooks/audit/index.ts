import type { AuditCheck } from "../../audit/index.js";
import { hooksCheck } from "./hooks.js";

/** Webhook ingress checks (reference §9.4 "Hooks"). */
export const hooksAuditChecks: readonly AuditCheck[] = [hooksCheck];
