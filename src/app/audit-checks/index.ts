import { accessAuditChecks } from "../../access/audit/index.js";
import { agentAuditChecks } from "../../agent/audit/index.js";
import { attackSurfaceCheck, type AuditCheck } from "../../audit/index.js";
import { channelAuditChecks } from "../../channels/audit/index.js";
import { configAuditChecks } from "../../config/audit/index.js";
import { cryptAuditChecks } from "../../crypt/audit/index.js";
import { discoveryAuditChecks } from "../../discovery/audit/index.js";
import { gatewayAuditChecks } from "../../gateway/audit/index.js";
import { hooksAuditChecks } from "../../hooks/audit/index.js";
import { loggingAuditChecks } from "../../logging/audit/index.js";
import { sandboxAuditChecks } from "../../sandbox/audit/index.js";
import { secretsAuditChecks } from "../../secrets/audit/index.js";
import { sessionsAuditChecks } from "../../sessions/audit/index.js";
import { toolsAuditChecks } from "../../tools/audit/index.js";
import { trailAuditChecks } from "../../trail/audit/index.js";

/**
 * Every check of `holdfast security audit` and `holdfast doctor`, in report order before sorting: the
 * attack-surface summary, then each stage's checks about its own subject (`src/<stage>/audit/index.ts`).
 * The audit runner never imports checks; the commands that run the audit get this list.
 */
export const AUDIT_CHECKS: readonly AuditCheck[] = [
  attackSurfaceCheck,
  ...accessAuditChecks,
  ...channelAuditChecks,
  ...toolsAuditChecks,
  ...sandboxAuditChecks,
  ...gatewayAuditChecks,
  ...hooksAuditChecks,
  ...discoveryAuditChecks,
  ...configAuditChecks,
  ...secretsAuditChecks,
  ...sessionsAuditChecks,
  ...cryptAuditChecks,
  ...loggingAuditChecks,
  ...trailAuditChecks,
  ...agentAuditChecks,
];
