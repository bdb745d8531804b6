import { attackSurfaceCheck } from "./summary-check.js";
import type { AuditCheck } from "./types.js";

/**
 * Every audit check, collected from the stage that owns its subject (`src/<stage>/audit/index.ts`).
 * Loaded dynamically so those modules can import the audit framework without an import cycle.
 */
export async function allChecks(): Promise<AuditCheck[]> {
  const [access, tools, sandbox, gateway, discovery, config, secrets, sessions, logging, agent] = await Promise.all([
    import("../access/audit/index.js"),
    import("../tools/audit/index.js"),
    import("../sandbox/audit/index.js"),
    import("../gateway/audit/index.js"),
    import("../discovery/audit/index.js"),
    import("../config/audit/index.js"),
    import("../secrets/audit/index.js"),
    import("../sessions/audit/index.js"),
    import("../logging/audit/index.js"),
    import("../agent/audit/index.js"),
  ]);
  return [
    attackSurfaceCheck,
    ...access.accessAuditChecks,
    ...tools.toolsAuditChecks,
    ...sandbox.sandboxAuditChecks,
    ...gateway.gatewayAuditChecks,
    ...discovery.discoveryAuditChecks,
    ...config.configAuditChecks,
    ...secrets.secretsAuditChecks,
    ...sessions.sessionsAuditChecks,
    ...logging.loggingAuditChecks,
    ...agent.agentAuditChecks,
  ];
}
