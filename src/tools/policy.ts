import type { HoldfastConfig, ToolPolicyConfig } from "../config/index.js";
import { allow, deny, type Decision } from "../infra/index.js";
import {
  DEFAULT_SANDBOX_ALLOW,
  DEFAULT_SANDBOX_DENY,
  DEFAULT_TOOL_PROFILE,
  expandEntries,
  normalizeToolName,
  TOOL_PROFILES,
  type ToolProfile,
} from "./catalog.js";

/**
 * The tool policy engine: pure functions from config + context to decisions. No I/O, no clock.
 * Source: reference openclaw-semantics.md §6.3–§6.4; seeds security-architecture.md "Layer 3: Tool
 * Access Control".
 *
 * Layers, in order: profile → global `tools.allow/deny` → `tools.byProvider.<p>` → agent
 * `agents.list[].tools` (+ its byProvider) → group/channel `channels.<ch>.groups.<id>.tools` (or its
 * toolsBySender) → `tools.toolsBySender` → `tools.exec.applyPatch.enabled: false` → sandbox tool policy
 * (only when sandboxed: `sandbox.allowTools`/`denyTools`, then `tools.sandbox.tools`). A tool must pass
 * every layer. Per layer: deny always wins; a non-empty allow admits only its members; groups expand;
 * `*` globs match; `allow: ["write"]` also admits `apply_patch` (but a deny of write does not deny it).
 */

/** Who/where a tool call is evaluated for. */
export interface ToolPolicyContext {
  readonly agentId: string;
  readonly provider?: string;
  readonly model?: string;
  readonly sender?: {
    readonly channel: string;
    readonly accountId?: string;
    readonly id: string;
    readonly chatType?: "direct" | "group";
    readonly chatId?: string;
  };
  readonly sandboxed: boolean;
}

/** One allow/deny layer; `id` is the config key path it came from (used in refusal details). */
export interface PolicyLayer {
  readonly id: string;
  readonly allow?: readonly string[];
  readonly deny?: readonly string[];
}

type PolicyLike = ToolPolicyConfig | undefined;
type SenderPolicies = Readonly<Record<string, ToolPolicyConfig>> | undefined;

/** Builds the ordered layers for a context. */
export function toolPolicyLayers(config: HoldfastConfig, ctx: ToolPolicyContext): PolicyLayer[] {
  const tools = config.tools;
  const agentIndex = (config.agents?.list ?? []).findIndex((a) => a.id === ctx.agentId);
  const agentTools = agentIndex >= 0 ? config.agents?.list?.[agentIndex]?.tools : undefined;
  const agentAt = `agents.list.${agentIndex}.tools`;
  const layers: PolicyLayer[] = [];
  const profile: ToolProfile = agentTools?.profile ?? tools?.profile ?? DEFAULT_TOOL_PROFILE;
  const profileAt = agentTools?.profile ? `${agentAt}.profile` : tools?.profile ? "tools.profile" : "default profile";
  layers.push({
    id: `${profileAt} (${profile})`,
    allow: [...TOOL_PROFILES[profile], ...(tools?.alsoAllow ?? []), ...(agentTools?.alsoAllow ?? [])],
  });
  layers.push(plain("tools", tools));
  layers.push(...providerLayers("tools.byProvider", tools?.byProvider, ctx));
  if (agentTools) {
    layers.push(plain(agentAt, agentTools));
    layers.push(...providerLayers(`${agentAt}.byProvider`, agentTools.byProvider, ctx));
  }
  const group = groupLayer(config, ctx);
  if (group) layers.push(group);
  const bySender = senderLayer("tools.toolsBySender", tools?.toolsBySender, ctx);
  if (bySender) layers.push(bySender);
  if (tools?.exec?.applyPatch?.enabled === false)
    layers.push({ id: "tools.exec.applyPatch.enabled", deny: ["apply_patch"] });
  if (ctx.sandboxed) {
    layers.push(...legacySandboxLayers(config, agentIndex));
    const configured = agentTools?.sandbox?.tools ?? tools?.sandbox?.tools;
    const at = agentTools?.sandbox?.tools
      ? `${agentAt}.sandbox.tools`
      : tools?.sandbox?.tools
        ? "tools.sandbox.tools"
        : "sandbox tool policy (default)";
    layers.push({
      id: at,
      allow: configured?.allow ?? DEFAULT_SANDBOX_ALLOW,
      deny: [...DEFAULT_SANDBOX_DENY, ...(configured?.deny ?? [])],
    });
  }
  return layers.filter((l) => (l.allow?.length ?? 0) > 0 || (l.deny?.length ?? 0) > 0);
}

/**
 * The seeds' `agents.defaults.sandbox.allowTools` / `denyTools` (and per agent): applied to sandboxed
 * sessions on top of the sandbox tool policy. An agent's `allowTools` replaces the defaults' one; deny
 * lists add up.
 */
function legacySandboxLayers(config: HoldfastConfig, agentIndex: number): PolicyLayer[] {
  const defaults = config.agents?.defaults?.sandbox;
  const agent = agentIndex >= 0 ? config.agents?.list?.[agentIndex]?.sandbox : undefined;
  const out: PolicyLayer[] = [];
  const allowAt = agent?.allowTools
    ? `agents.list.${agentIndex}.sandbox.allowTools`
    : "agents.defaults.sandbox.allowTools";
  const allow = agent?.allowTools ?? defaults?.allowTools;
  if (allow) out.push({ id: allowAt, allow });
  if (defaults?.denyTools) out.push({ id: "agents.defaults.sandbox.denyTools", deny: defaults.denyTools });
  if (agent?.denyTools) out.push({ id: `agents.list.${agentIndex}.sandbox.denyTools`, deny: agent.denyTools });
  return out;
}

function plain(id: string, p: PolicyLike): PolicyLayer {
  return { id, ...(p?.allow ? { allow: p.allow } : {}), ...(p?.deny ? { deny: p.deny } : {}) };
}

function providerLayers(
  at: string,
  byProvider: Readonly<Record<string, ToolPolicyConfig>> | undefined,
  ctx: ToolPolicyContext,
): PolicyLayer[] {
  if (!byProvider || !ctx.provider) return [];
  const full = ctx.model ? `${ctx.provider}/${ctx.model}`.toLowerCase() : undefined;
  const key =
    Object.keys(byProvider).find((k) => full !== undefined && k.toLowerCase() === full) ??
    Object.keys(byProvider).find((k) => k.toLowerCase() === ctx.provider?.toLowerCase());
  const p = key !== undefined ? byProvider[key] : undefined;
  if (!p || key === undefined) return [];
  const out: PolicyLayer[] = [];
  if (p.profile)
    out.push({
      id: `${at}.${key}.profile (${p.profile})`,
      allow: [...TOOL_PROFILES[p.profile], ...(p.alsoAllow ?? [])],
    });
  out.push(plain(`${at}.${key}`, p));
  return out;
}

/** The group layer: the group's toolsBySender match, else the group's tools, else the `"*"` group's. */
function groupLayer(config: HoldfastConfig, ctx: ToolPolicyContext): PolicyLayer | undefined {
  const s = ctx.sender;
  if (!s || s.chatType !== "group" || !s.chatId) return undefined;
  const channel = (config.channels as Record<string, unknown> | undefined)?.[s.channel] as GroupHolder | undefined;
  if (!channel || typeof channel !== "object") return undefined;
  const holders: [string, GroupHolder | undefined][] = [];
  if (s.accountId) holders.push([`channels.${s.channel}.accounts.${s.accountId}`, channel.accounts?.[s.accountId]]);
  holders.push([`channels.${s.channel}`, channel]);
  for (const key of [s.chatId, "*"]) {
    for (const [at, holder] of holders) {
      const g = holder?.groups?.[key];
      if (!g) continue;
      const bySender = senderLayer(`${at}.groups.${key}.toolsBySender`, g.toolsBySender, ctx);
      if (bySender) return bySender;
      if (g.tools) return plain(`${at}.groups.${key}.tools`, g.tools);
    }
  }
  return undefined;
}

interface GroupHolder {
  readonly groups?: Readonly<
    Record<string, { readonly tools?: ToolPolicyConfig; readonly toolsBySender?: SenderPolicies }>
  >;
  readonly accounts?: Readonly<Record<string, GroupHolder>>;
}

/** toolsBySender keys: `channel:<ch>:<id>`, `id:<id>`, bare `<id>` (legacy), `"*"`; first match wins. */
function senderLayer(at: string, policies: SenderPolicies, ctx: ToolPolicyContext): PolicyLayer | undefined {
  if (!policies) return undefined;
  const s = ctx.sender;
  const keys = s ? [`channel:${s.channel}:${s.id}`, `id:${s.id}`, s.id, "*"] : ["*"];
  for (const k of keys) {
    const p = policies[k];
    if (p)
      return {
        id: `${at}.${k}`,
        allow: [...(p.profile ? TOOL_PROFILES[p.profile] : []), ...(p.allow ?? []), ...(p.alsoAllow ?? [])],
        ...(p.deny ? { deny: p.deny } : {}),
      };
  }
  return undefined;
}

/** True when `entries` (expanded) match tool `name`. */
export function entriesMatch(entries: readonly string[] | undefined, name: string): boolean {
  if (!entries || entries.length === 0) return false;
  let expanded = expandedCache.get(entries);
  if (!expanded) {
    expanded = expandEntries(entries);
    expandedCache.set(entries, expanded);
  }
  return expanded.names.has(name) || expanded.patterns.some((p) => p.test(name));
}

/** Group/glob expansion per entries array (layers are cached by the gate, so arrays are reused). */
const expandedCache = new WeakMap<readonly string[], ReturnType<typeof expandEntries>>();

/** A tool-policy decision: `tool_allowed`, or `tool_denied` (a deny entry) / `tool_not_allowed` (missing from an allow list). */
export type ToolPolicyDecision = Decision<"tool_allowed", "tool_denied" | "tool_not_allowed">;

/**
 * Decides whether tool `name` passes every layer. Deny wins within and across layers.
 * @returns allow("tool_allowed") or deny("tool_denied" | "tool_not_allowed", "<layer key path>").
 */
export function decideTool(name: string, layers: readonly PolicyLayer[]): ToolPolicyDecision {
  const tool = normalizeToolName(name);
  for (const layer of layers) {
    if (entriesMatch(layer.deny, tool)) return deny("tool_denied", `denied by ${layer.id}`);
  }
  for (const layer of layers) {
    if (!layer.allow || layer.allow.length === 0) continue;
    const admitted = entriesMatch(layer.allow, tool) || (tool === "apply_patch" && entriesMatch(layer.allow, "write"));
    if (!admitted) return deny("tool_not_allowed", `not in the allow list of ${layer.id}`);
  }
  return allow("tool_allowed");
}

/** The subset of `names` that pass every layer (order kept). */
export function allowedTools(names: readonly string[], layers: readonly PolicyLayer[]): string[] {
  return names.filter((n) => decideTool(n, layers).allow);
}
