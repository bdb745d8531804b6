import { ownersFor, parseAllowList } from "../../access/index.js";
import { agentIdsOf, type AgentEntry, type HoldfastConfig } from "../../config/index.js";
import { bindingTargets, normalizeAgentId } from "../../routing/index.js";
import {
  agentsOf,
  channelScopes,
  finding,
  toolReachable,
  type AuditCheck,
  type ChannelScope,
  type Finding,
} from "../../audit/index.js";
import { taintModeFor } from "../taint.js";

/** The tools whose results are untrusted content. */
const UNTRUSTED_TOOLS = ["web_fetch", "web_search", "browser"] as const;

/** True when every sender the scope admits is an owner (`commands.ownerAllowFrom`) and no group is open to others. */
function ownerOnly(s: ChannelScope, ownerEntries: readonly string[]): boolean {
  const owners = ownersFor(ownerEntries, s.channel);
  const onlyOwners = (entries: readonly (string | number)[]) => {
    const list = parseAllowList(s.channel, entries);
    return !list.wildcard && list.invalid.length === 0 && [...list.ids].every((id) => owners.has(id));
  };
  const dms = s.dmPolicy === "disabled" || (s.dmPolicy === "allowlist" && onlyOwners(s.allowFrom));
  const groupSenders = s.groupAllowFrom.length > 0 ? s.groupAllowFrom : s.allowFrom;
  const groups = s.groupPolicy === "disabled" || (s.groupPolicy === "allowlist" && onlyOwners(groupSenders));
  return dms && groups;
}

/**
 * True when `bindings[]` let messages of the scope reach `agentId`: it gets the messages no peer
 * binding takes, or a peer binding sends it a group or a sender who is not an owner (a binding to an
 * owner's own DMs brings only the owner's messages).
 */
function scopeReaches(config: HoldfastConfig, s: ChannelScope, agentId: string, ownerEntries: readonly string[]) {
  const to = bindingTargets(config, agentIdsOf(config), s.channel, s.accountId ?? "default");
  const id = normalizeAgentId(agentId);
  if (to.rest === id) return true;
  // Peer ids and owner ids are both in the channel's normalized sender-id form.
  const owners = ownersFor(ownerEntries, s.channel);
  return to.peers.some((p) => p.agentId === id && !(p.kind === "direct" && owners.has(p.id)));
}

/** What untrusted content an agent can read, as config paths (empty: none). */
function untrustedSources(config: HoldfastConfig, agent: AgentEntry | undefined): string[] {
  const owners = config.commands?.ownerAllowFrom ?? [];
  const out = channelScopes(config)
    .filter((s) => !ownerOnly(s, owners) && scopeReaches(config, s, agent?.id ?? "main", owners))
    .map((s) => s.path);
  if (config.hooks?.enabled === true) out.push("hooks");
  for (const t of UNTRUSTED_TOOLS) {
    if (t === "web_fetch" && config.tools?.web?.fetch?.enabled === false) continue;
    if (toolReachable(config, t, agent)) out.push(`tool ${t}`);
  }
  return out;
}

/**
 * `tools.taint.off` (critical): an agent whose `tools.taint.mode` is `off` (its own, else the global
 * one) while it can read untrusted content: a channel that admits someone other than an owner
 * (`commands.ownerAllowFrom`) and whose messages `bindings[]` route to it (as the router does: peer,
 * then account, then channel bindings, else the default agent), webhooks (`hooks.enabled`), or
 * web_fetch / web_search / browser. A page, payload or stranger's message can then make it run exec
 * or write outside scratch/ with no owner approval. Source: issue "Untrusted-content taint"; docs/tools.md "Untrusted content".
 */
export const taintOffCheck: AuditCheck = {
  id: "tools.taint",
  area: "tools",
  run(ctx) {
    const out: Finding[] = [];
    for (const agent of agentsOf(ctx.config)) {
      const id = agent?.id ?? "main";
      if (taintModeFor(ctx.config, id) !== "off") continue;
      const sources = untrustedSources(ctx.config, agent);
      if (sources.length === 0) continue;
      out.push(
        finding({
          checkId: "tools.taint.off",
          severity: "critical",
          title: `agent ${id} runs dangerous tools after untrusted content without asking`,
          detail: `tools.taint.mode is off for agent ${id} while it reads untrusted content (${sources.slice(0, 5).join(", ")}): a web page, webhook payload or another person's message can make it run exec, write outside scratch/ or message new recipients with no owner approval.`,
          remediation: `Remove tools.taint.mode: off (default approve), or set it to deny or warn${agent ? ` (agents.list[].tools.taint for ${id})` : ""}.`,
        }),
      );
    }
    return out;
  },
};
