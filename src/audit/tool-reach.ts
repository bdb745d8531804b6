import type { AgentEntry, HoldfastConfig, ToolPolicyConfig } from "../config/index.js";

/**
 * Tool groups and profiles as the audit expands them (reference §6.1–§6.2, the seeds' profile table).
 * The audit only needs to know whether a risky tool can be reached; it errs towards "reachable".
 */
const GROUPS: Readonly<Record<string, readonly string[]>> = {
  "group:fs": ["ls", "read", "write", "edit", "apply_patch"],
  "group:runtime": ["exec", "process"],
  "group:sessions": ["sessions_list", "sessions_history", "sessions_send", "sessions_spawn", "subagents", "session_status"],
  "group:memory": ["memory_search", "memory_get"],
  "group:web": ["web_search", "web_fetch"],
  "group:ui": ["browser", "canvas"],
  "group:automation": ["cron", "automations", "gateway"],
  "group:messaging": ["message"],
  "group:nodes": ["nodes"],
};
const PROFILES: Readonly<Record<string, readonly string[] | undefined>> = {
  minimal: ["session_status"],
  coding: ["group:fs", "group:runtime", "group:sessions", "group:memory", "image"],
  messaging: ["group:messaging", "sessions_list", "sessions_history", "sessions_send", "session_status"],
  full: undefined,
};
const ALIASES: Readonly<Record<string, string>> = { bash: "exec", "apply-patch": "apply_patch", cron: "automations" };

function canonical(name: string): string {
  const n = name.trim().toLowerCase();
  return ALIASES[n] ?? n;
}

function matches(entries: readonly string[], tool: string): boolean {
  return entries.some((raw) => {
    const e = raw.trim().toLowerCase();
    if (e === "*") return true;
    if (GROUPS[e]) return GROUPS[e].map(canonical).includes(tool);
    if (e.includes("*")) return new RegExp(`^${e.split("*").map((p) => p.replace(/[.+?^${}()|[\]\\]/g, "\\$&")).join(".*")}$`).test(tool);
    return canonical(e) === tool;
  });
}

function layerAllows(layer: ToolPolicyConfig | undefined, tool: string): boolean {
  if (!layer) return true;
  if (layer.deny && matches(layer.deny, tool)) return false;
  const profile = layer.profile ? PROFILES[layer.profile] : undefined;
  if (profile && !matches([...profile, ...(layer.alsoAllow ?? [])], tool)) return false;
  if (layer.allow && layer.allow.length > 0 && !matches(layer.allow, tool)) return false;
  return true;
}

/** True when `tool` survives the global and (if given) the agent's policy layers. Deny always wins. */
export function toolReachable(config: HoldfastConfig, tool: string, agent?: AgentEntry): boolean {
  const t = canonical(tool);
  return layerAllows(config.tools, t) && layerAllows(agent?.tools, t);
}

/** The default agent plus every listed agent (undefined stands for "no agent entry"). */
export function agentsOf(config: HoldfastConfig): (AgentEntry | undefined)[] {
  const list = config.agents?.list ?? [];
  return list.length > 0 ? list : [undefined];
}

/** True when some agent can reach any of `tools`. */
export function anyAgentReaches(config: HoldfastConfig, tools: readonly string[]): boolean {
  return agentsOf(config).some((a) => tools.some((t) => toolReachable(config, t, a)));
}

/** Effective exec security: `tools.exec.mode`/`security`; holdfast default "allowlist". */
export function execSecurity(config: HoldfastConfig): "deny" | "allowlist" | "full" {
  const e = config.tools?.exec;
  if (e?.mode === "full" || e?.security === "full") return "full";
  if (e?.mode === "deny" || e?.security === "deny") return "deny";
  return "allowlist";
}

/** Effective sandbox mode of an agent; holdfast default "non-main". */
export function sandboxMode(config: HoldfastConfig, agent?: AgentEntry): "off" | "non-main" | "all" {
  return agent?.sandbox?.mode ?? config.agents?.defaults?.sandbox?.mode ?? "non-main";
}
