import type { AgentEntry } from "./schema/agents.js";
import { POLICY_CHANNEL_IDS } from "./schema/channels.js";
import type { HoldfastConfig } from "./schema/root.js";
import { cliHint } from "../infra/index.js";

/**
 * Migrates legacy shapes in a validated config to the current ones, returning a new config and one
 * warning per migration (reference §0.1 and §10.4):
 * - `agent.model`/`agent.workspace` → `agents.defaults.*`
 * - `agents.entries.<id>` → `agents.list[]`
 * - `channels.<ch>[.accounts.<id>].dm.policy|allowFrom` → `dmPolicy`/`allowFrom`
 * - sandbox `perSession: true` → `scope: "session"`
 */
export function normalizeConfig(input: HoldfastConfig): { config: HoldfastConfig; warnings: string[] } {
  const config = structuredClone(input);
  const warnings: string[] = [];
  migrateLegacyAgent(config, warnings);
  migrateAgentEntries(config, warnings);
  migrateChannelDm(config, warnings);
  migratePerSession(config, warnings);
  return { config, warnings };
}

function migrateLegacyAgent(config: HoldfastConfig, warnings: string[]): void {
  if (!config.agent) return;
  const defaults = { ...(config.agents?.defaults ?? {}) };
  if (config.agent.model !== undefined && defaults.model === undefined) defaults.model = config.agent.model;
  if (config.agent.workspace !== undefined && defaults.workspace === undefined)
    defaults.workspace = config.agent.workspace;
  config.agents = { ...(config.agents ?? {}), defaults };
  delete config.agent;
  warnings.push(`agent: legacy key; moved to agents.defaults (run \`${cliHint("doctor --fix")}\` to rewrite the file)`);
}

function migrateAgentEntries(config: HoldfastConfig, warnings: string[]): void {
  const entries = config.agents?.entries;
  if (!entries || !config.agents) return;
  const list: AgentEntry[] = [...(config.agents.list ?? [])];
  for (const [id, entry] of Object.entries(entries)) {
    if (!list.some((a) => a.id === id)) list.push({ ...entry, id });
  }
  config.agents.list = list;
  delete config.agents.entries;
  warnings.push("agents.entries: read as agents.list (holdfast keeps the roster as a list)");
}

type DmHolder = {
  dm?: { policy?: string; allowFrom?: (string | number)[]; enabled?: boolean } | undefined;
  dmPolicy?: string | undefined;
  allowFrom?: (string | number)[] | undefined;
};

function migrateChannelDm(config: HoldfastConfig, warnings: string[]): void {
  for (const ch of POLICY_CHANNEL_IDS) {
    const block = config.channels?.[ch];
    if (!block) continue;
    migrateDmHolder(block as DmHolder, `channels.${ch}`, warnings);
    for (const [id, account] of Object.entries(block.accounts ?? {}))
      migrateDmHolder(account as DmHolder, `channels.${ch}.accounts.${id}`, warnings);
  }
}

function migrateDmHolder(holder: DmHolder, at: string, warnings: string[]): void {
  const dm = holder.dm;
  if (!dm) return;
  if (dm.policy !== undefined && holder.dmPolicy === undefined) holder.dmPolicy = dm.policy;
  if (dm.allowFrom !== undefined && holder.allowFrom === undefined) holder.allowFrom = dm.allowFrom;
  if (dm.enabled === false) holder.dmPolicy = "disabled";
  delete holder.dm;
  warnings.push(`${at}.dm: legacy nesting; read as ${at}.dmPolicy / ${at}.allowFrom`);
}

function migratePerSession(config: HoldfastConfig, warnings: string[]): void {
  const boxes = [
    { sb: config.agents?.defaults?.sandbox, at: "agents.defaults.sandbox" },
    ...(config.agents?.list ?? []).map((a, i) => ({ sb: a.sandbox, at: `agents.list.${i}.sandbox` })),
  ];
  for (const { sb, at } of boxes) {
    if (sb?.perSession === undefined) continue;
    if (sb.scope === undefined) sb.scope = sb.perSession ? "session" : "agent";
    delete sb.perSession;
    warnings.push(`${at}.perSession: legacy key; read as ${at}.scope`);
  }
}
