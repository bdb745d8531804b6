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
        finding(
          "config.agent_roster.invalid_default_count",
          "warn",
          "Several agents are marked default",
          `${defaults.map((a) => a.id).join(", ")} all have default: true; the first one wins.`,
          "Keep default: true on one agent.",
        ),
      );
    }
    const ignored = (["plugins", "skills", "mcp"] as const).filter((k) => ctx.config[k] !== undefined);
    if (ignored.length > 0) {
      out.push(
        finding(
          "config.ignored_security_settings",
          "info",
          "Plugin/skill settings are ignored",
          `${ignored.join(", ")} ${ignored.length > 1 ? "are" : "is"} accepted for OpenClaw compatibility but holdfast loads no plugins, skills or MCP servers.`,
          "Remove these blocks.",
        ),
      );
    }
    return out;
  },
};
