import { execSecurity, finding, openPolicies, type AuditCheck } from "../../audit/index.js";

/**
 * Exec security "full" (any command, no allowlist): `tools.exec.security_full_configured`, critical
 * when any DM/group policy is open, else warn. With `ask: "off"` nothing asks before it runs.
 * Source: reference §6.6, §9.4.
 */
export const execFullCheck: AuditCheck = {
  id: "tools.exec.security_full_configured",
  area: "tools",
  run(ctx) {
    if (execSecurity(ctx.config) !== "full") return [];
    const open = openPolicies(ctx.config);
    const askOff = (ctx.config.tools?.exec?.ask ?? "off") === "off" || ctx.config.tools?.exec?.mode === "full";
    return [
      finding({
        checkId: "tools.exec.security_full_configured",
        severity: open.length > 0 ? "critical" : "warn",
        title: "exec may run any command",
        detail: `tools.exec is set to security "full"${askOff ? ' with ask "off": commands run without an allowlist and without approval' : ""}${open.length ? `; reachable through ${open.join(", ")}` : ""}.`,
        remediation: 'Set tools.exec.security to "allowlist" (or "deny") and tools.exec.ask to "on-miss".',
      }),
    ];
  },
};
