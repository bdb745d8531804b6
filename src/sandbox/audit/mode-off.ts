import { agentsOf, finding, openPolicies, toolReachable, type AuditCheck, type Finding } from "../../audit/index.js";

const DANGEROUS = ["exec", "process", "write", "edit", "apply_patch"];

/**
 * Sandbox off while dangerous tools are reachable: group, channel and per-peer sessions then run
 * exec/write on the host. `sandbox.mode_off` warn (critical with open policies). Source: seeds
 * privacy-and-security-guide.md "Mistake 4: No sandboxing"; reference §7.2.
 */
export const sandboxModeOffCheck: AuditCheck = {
  id: "sandbox.mode_off",
  area: "tools",
  run(ctx) {
    const out: Finding[] = [];
    const open = openPolicies(ctx.config);
    const list = ctx.config.agents?.list ?? [];
    for (const agent of agentsOf(ctx.config)) {
      const own = agent?.sandbox?.mode;
      const mode = own ?? ctx.config.agents?.defaults?.sandbox?.mode;
      if (mode !== "off") continue;
      const tools = DANGEROUS.filter((t) => toolReachable(ctx.config, t, agent));
      if (tools.length === 0) continue;
      const at = own
        ? `agents.list.${list.indexOf(agent as (typeof list)[number])}.sandbox.mode`
        : "agents.defaults.sandbox.mode";
      out.push(
        finding({
          checkId: "sandbox.mode_off",
          severity: open.length ? "critical" : "warn",
          title: `Non-main sessions of agent ${agent?.id ?? "main"} run tools on the host`,
          detail: `${at} is "off" and ${tools.join(", ")} ${tools.length > 1 ? "are" : "is"} reachable: group and channel sessions can run commands and write files on this machine.`,
          remediation: `Set ${at} to "non-main" (or "all").`,
        }),
      );
    }
    return out;
  },
};
