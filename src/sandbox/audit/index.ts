import type { AuditCheck } from "../../audit/index.js";
import { sandboxDockerCheck } from "./docker-settings.js";
import { hostJailOffCheck, hostJailUnavailableCheck, limitsEnforceableCheck } from "./jails.js";
import { sandboxModeOffCheck } from "./mode-off.js";

/** Sandbox checks (where tools run). */
export const sandboxAuditChecks: readonly AuditCheck[] = [
  sandboxModeOffCheck,
  sandboxDockerCheck,
  hostJailOffCheck,
  hostJailUnavailableCheck,
  limitsEnforceableCheck,
];
