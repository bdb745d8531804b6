import { agentsOf, anyAgentReaches, finding, openPolicies, type AuditCheck, type Finding } from "../../audit/index.js";

const CROSS_SESSION_TOOLS = ["sessions_list", "sessions_history", "sessions_send"];

/**
 * Cross-session visibility (reference §6.8, §9.4): holdfast's default `tools.sessions.visibility` is
 * "tree" (a session sees itself and its sub-sessions). "agent" or "all" lets one peer list, read and
 * write into another peer's conversation through the sessions tools, whatever the sandbox mode:
 * `security.trust_model.cross_peer_session_access` (critical when a DM or group policy is open,
 * else warn). With "all" and several agents, sessions cross agents too:
 * `security.trust_model.cross_agent_session_access_default` (warn when agentToAgent is on, else info).
 */
export const sessionVisibilityCheck: AuditCheck = {
  id: "security.trust_model.cross_peer_session_access",
  area: "tools",
  run(ctx) {
    const visibility = ctx.config.tools?.sessions?.visibility;
    if (visibility !== "agent" && visibility !== "all") return [];
    if (!anyAgentReaches(ctx.config, CROSS_SESSION_TOOLS)) return [];
    const open = openPolicies(ctx.config);
    const out: Finding[] = [
      finding({
        checkId: "security.trust_model.cross_peer_session_access",
        severity: open.length > 0 ? "critical" : "warn",
        title: "Sessions can read and write other peers' conversations",
        detail: `tools.sessions.visibility is "${visibility}": a session's sessions_list / sessions_history / sessions_send reach ${visibility === "all" ? "every session" : "every session of its agent"}, so one sender can read another sender's history and inject messages into it${open.length ? `; strangers reach the bot through ${open.join(", ")}` : ""}.`,
        remediation:
          'Remove tools.sessions.visibility (holdfast default "tree") or set it to "self"; deny group:sessions where peers do not trust each other.',
      }),
    ];
    if (visibility === "all" && agentsOf(ctx.config).length >= 2) {
      const a2a = ctx.config.tools?.agentToAgent?.enabled === true;
      out.push(
        finding({
          checkId: "security.trust_model.cross_agent_session_access_default",
          severity: a2a ? "warn" : "info",
          title: "Sessions of one agent see other agents' sessions",
          detail: `tools.sessions.visibility is "all" with ${agentsOf(ctx.config).length} agents${a2a ? " and tools.agentToAgent.enabled" : ""}.`,
          remediation: 'Set tools.sessions.visibility to "tree" (default) or "agent".',
        }),
      );
    }
    return out;
  },
};
