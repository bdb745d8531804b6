import type { AgentEntry, HoldfastConfig } from "../../config/index.js";
import { agentsOf, finding, toolReachable, type AuditCheck, type Finding } from "../../audit/index.js";

const LEGACY = /gpt-3\.5|claude-2|claude-instant|gpt-4-0314|gpt-4-0613/i;
const ACTION_TOOLS = ["exec", "process", "write", "edit", "apply_patch", "web_fetch", "web_search", "message"];

/** Model refs of an agent: its own model, else agents.defaults.model (primary + fallbacks). */
function refsOf(config: HoldfastConfig, agent: AgentEntry | undefined): string[] {
  const sel = agent?.model ?? config.agents?.defaults?.model;
  if (!sel) return [];
  return typeof sel === "string"
    ? [sel]
    : [sel.primary, ...(sel.fallbacks ?? [])].filter((r): r is string => typeof r === "string");
}

/** Claude version (4.5 for claude-sonnet-4-5 / claude-4.5-sonnet), GPT major; undefined when unknown. */
function weakTier(ref: string): string | undefined {
  const id = ref.toLowerCase();
  if (id.includes("haiku")) return "a Haiku-tier model";
  const claude = /claude-(?:(?:opus|sonnet)-)?(\d)(?:[-.](\d{1,2})(?!\d))?/.exec(id);
  if (claude) {
    const v = Number(claude[1]) + Number(claude[2] ?? 0) / 10;
    return v < 4.5 ? `Claude ${v.toFixed(1)} (below 4.5)` : undefined;
  }
  const gpt = /gpt-(\d+)/.exec(id);
  return gpt && Number(gpt[1]) < 5 ? `GPT-${gpt[1]} (below 5)` : undefined;
}

/** Parameter count in billions from names like `llama3:8b` or `qwen2.5-7b`. */
function paramsB(ref: string): number | undefined {
  const m = /[:\-_/](\d+(?:\.\d+)?)b\b/i.exec(ref);
  return m ? Number(m[1]) : undefined;
}

/**
 * Model choice for tool-enabled agents (reference §9.4 "Summary / config"; seeds "Model choice"):
 * `models.legacy` (warn), `models.weak_tier` (warn: Haiku, Claude below 4.5, GPT below 5) and
 * `models.small_params` (≤ 300B parameters: critical when web tools are reachable, else info). Smaller
 * and older models follow injected instructions more easily.
 */
export const modelsCheck: AuditCheck = {
  id: "models",
  area: "models",
  run(ctx) {
    const out: Finding[] = [];
    const seen = new Set<string>();
    for (const agent of agentsOf(ctx.config)) {
      if (!ACTION_TOOLS.some((t) => toolReachable(ctx.config, t, agent))) continue;
      const web = ["web_fetch", "web_search"].some((t) => toolReachable(ctx.config, t, agent));
      for (const ref of refsOf(ctx.config, agent)) {
        if (seen.has(ref)) continue;
        seen.add(ref);
        if (LEGACY.test(ref))
          out.push(
            finding({
              checkId: "models.legacy",
              severity: "warn",
              title: `Legacy model with tools: ${ref}`,
              detail: `${ref} is an old model; it is easier to steer with injected text.`,
              remediation: "Use a current frontier model for agents with tools.",
            }),
          );
        const weak = weakTier(ref);
        if (weak)
          out.push(
            finding({
              checkId: "models.weak_tier",
              severity: "warn",
              title: `Weaker model with tools: ${ref}`,
              detail: `${ref} is ${weak}.`,
              remediation: "Use a stronger model for agents that can run tools, or restrict their tools.",
            }),
          );
        const b = paramsB(ref);
        if (b !== undefined && b <= 300) {
          out.push(
            finding({
              checkId: "models.small_params",
              severity: web ? "critical" : "info",
              title: `Small model with tools: ${ref}`,
              detail: `${ref} has about ${b}B parameters${web ? " and can fetch web content (prompt injection)" : ""}.`,
              remediation: "Deny web tools for this agent or use a larger model.",
            }),
          );
        }
      }
    }
    return out;
  },
};
