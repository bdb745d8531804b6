import { finding, isRemotelyExposed, type AuditCheck } from "../../audit/index.js";

const DEFAULT_HTTP_DENY = [
  "exec",
  "spawn",
  "shell",
  "fs_write",
  "fs_delete",
  "fs_move",
  "apply_patch",
  "sessions_spawn",
  "sessions_send",
  "cron",
  "gateway",
  "nodes",
];

/**
 * `gateway.tools.allow` re-enabling tools that the HTTP tool surface denies by default (reference
 * §3.6): `gateway.tools_invoke_http.dangerous_allow`, critical when remotely exposed, else warn.
 */
export const toolsHttpCheck: AuditCheck = {
  id: "gateway.tools_invoke_http.dangerous_allow",
  area: "network",
  run(ctx) {
    const allowed = (ctx.config.gateway?.tools?.allow ?? [])
      .map((t) => t.trim().toLowerCase())
      .filter((t) => DEFAULT_HTTP_DENY.includes(t) || t === "*");
    if (allowed.length === 0) return [];
    return [
      finding({
        checkId: "gateway.tools_invoke_http.dangerous_allow",
        severity: isRemotelyExposed(ctx.config) ? "critical" : "warn",
        title: "HTTP tool calls may run dangerous tools",
        detail: `gateway.tools.allow re-enables ${allowed.join(", ")} over HTTP.`,
        remediation: "Remove those entries from gateway.tools.allow.",
      }),
    ];
  },
};
