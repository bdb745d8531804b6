import { finding, type AuditCheck, type Finding } from "../../audit/index.js";

/**
 * Agent roster sanity (reference §9.4): more than one `default: true` agent
 * (`config.agent_roster.invalid_default_count`, warn), and security-relevant OpenClaw blocks holdfast
 * accepts but ignores (`config.ignored_security_settings`, info: plugins, skills, mcp).
 */
export const rosterCheck: AuditCheck = {
  id: "config.agent_roster",
  area: "config",
  run(ctx) {
    const out: Finding[] = [];
    const defaults = (ctx.config.agents?.list ?? []).filter((a) => a.default === true);
    if (defaults.length > 1) {
      out.push(
        finding({
          checkId: "config.agent_roster.invalid_default_count",
          severity: "warn",
          title: "Several agents are marked default",
          detail: `${defaults.map((a) => a.id).join(", ")} all have default: true; the first one wins.`,
          remediation: "Keep default: true on one agent.",
        }),
      );
    }
    const ignored = (["plugins", "skills", "mcp"] as const).filter((k) => ctx.config[k] !== undefined);
    if (ignored.length > 0) {
      out.push(
        finding({
          checkId: "config.ignored_security_settings",
          severity: "info",
          title: "Plugin/skill settings are ignored",
          detail: `${ignored.join(", ")} ${ignored.length > 1 ? "are" : "is"} accepted for OpenClaw compatibility but holdfast loads no plugins, skills or MCP servers.`,
          remediation: "Remove these blocks.",
        }),
      );
    }
    return out;
  },
};
