import type { AgentEntry, HoldfastConfig } from "../config/index.js";
import { resolveSandbox } from "../sandbox/index.js";
import { decideTool, execSecurity as toolExecSecurity, toolPolicyLayers } from "../tools/index.js";

/**
 * True when `tool` survives the tool policy of `agent` (the real engine: profile, global, provider
 * and agent layers; deny always wins). Sender- and group-specific layers and the sandbox tool policy
 * are left out, so the audit errs towards "reachable".
 */
export function toolReachable(config: HoldfastConfig, tool: string, agent?: AgentEntry): boolean {
  return decideTool(tool, toolPolicyLayers(config, { agentId: agent?.id ?? "main", sandboxed: false })).allow;
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

/** Effective exec security (`tools.exec.security`, or the 2026.9 `mode`); holdfast default "allowlist". */
export function execSecurity(config: HoldfastConfig): "deny" | "allowlist" | "full" {
  return toolExecSecurity(config).security;
}

/** Effective sandbox mode of an agent; holdfast default "non-main". */
export function sandboxMode(config: HoldfastConfig, agent?: AgentEntry): "off" | "non-main" | "all" {
  return resolveSandbox(config, agent?.id ?? "main").mode;
}
