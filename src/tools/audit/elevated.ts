import { finding, type AuditCheck, type Finding } from "../../audit/index.js";

type AllowFrom = Record<string, readonly (string | number)[]> | readonly string[] | undefined;

/** Findings for one elevated allowFrom setting at `at`. */
function inspect(at: string, allowFrom: AllowFrom): Finding[] {
  if (allowFrom === undefined) return [];
  if (Array.isArray(allowFrom)) {
    if (allowFrom.length === 0) return [];
    return [
      finding({
        checkId: "tools.elevated.allowFrom.bare_list",
        severity: "warn",
        title: "Elevated allowFrom is a bare list and grants nothing",
        detail: `${at} is a list (${allowFrom.length} ${allowFrom.length === 1 ? "entry" : "entries"}); elevated access is granted per channel: { telegram: ["<sender id>"] }.`,
        remediation: `Write ${at} as { <channel>: [<sender ids>] }, or remove it.`,
      }),
    ];
  }
  const out: Finding[] = [];
  for (const [provider, ids] of Object.entries(allowFrom as Record<string, readonly (string | number)[]>)) {
    if (ids.some((e) => String(e).trim() === "*")) {
      out.push(
        finding({
          checkId: `tools.elevated.allowFrom.${provider}.wildcard`,
          severity: "critical",
          title: `Anyone on ${provider} may run elevated (host) commands`,
          detail: `${at}.${provider} contains "*": elevated exec leaves the sandbox for every sender.`,
          remediation: `List the sender ids allowed elevated access in ${at}.${provider}, or set tools.elevated.enabled: false.`,
        }),
      );
    } else if (ids.length > 25) {
      out.push(
        finding({
          checkId: `tools.elevated.allowFrom.${provider}.large`,
          severity: "warn",
          title: `Many senders may run elevated commands on ${provider}`,
          detail: `${at}.${provider} lists ${ids.length} senders (more than 25).`,
          remediation: "Keep elevated access to the few people who own the machine.",
        }),
      );
    }
  }
  return out;
}

/**
 * Elevated (host) exec allowlists: `tools.elevated.allowFrom.<provider>.wildcard` critical, `.large`
 * warn (> 25), plus `tools.elevated.allowFrom.bare_list` warn for a non-empty list form, which grants nothing.
 * Skipped when `tools.elevated.enabled` is false. Source: reference §6.5, §9.4.
 */
export const elevatedCheck: AuditCheck = {
  id: "tools.elevated.allowFrom",
  area: "tools",
  run(ctx) {
    const el = ctx.config.tools?.elevated;
    if (el?.enabled === false) return [];
    const out = inspect("tools.elevated.allowFrom", el?.allowFrom as AllowFrom);
    (ctx.config.agents?.list ?? []).forEach((a, i) => {
      if (a.tools?.elevated?.enabled !== false)
        out.push(...inspect(`agents.list.${i}.tools.elevated.allowFrom`, a.tools?.elevated?.allowFrom));
    });
    return out;
  },
};
