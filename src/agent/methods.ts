import { z } from "zod";
import type { AgentRoster, HoldfastConfig } from "../config/index.js";
import { defineMethod, type AnyMethodDef } from "../gateway/index.js";
import type { ProviderCatalog } from "./providers/catalog.js";

/** What the agent methods read. */
export interface AgentMethodDeps {
  readonly config: HoldfastConfig;
  readonly roster: Pick<AgentRoster, "ids" | "entry" | "workspaceOf">;
  readonly catalog: Pick<ProviderCatalog, "all" | "usable">;
  /** The agent's model refs in order (`provider/model`); empty when none is available. */
  readonly modelRefs: (agentId: string) => Promise<string[]>;
}

/** One model as `models.list` shows it (reference shape). */
export interface ModelRow {
  readonly id: string;
  readonly name: string;
  readonly provider: string;
  readonly contextWindow?: number;
  readonly reasoning?: boolean;
  readonly available: boolean;
}

/** The models of every known provider: the configured `models.providers.<id>.models` entries and the refs in use. */
export async function modelRows(d: AgentMethodDeps): Promise<ModelRow[]> {
  const rows = new Map<string, ModelRow>();
  for (const p of d.catalog.all()) {
    const entries = d.config.models?.providers?.[p.id]?.models ?? p.models;
    for (const e of entries) {
      const m = typeof e === "string" ? { id: e } : e;
      rows.set(`${p.id}/${m.id}`, {
        id: m.id,
        name: ("name" in m && m.name) || m.id,
        provider: p.id,
        ...("contextWindow" in m && m.contextWindow ? { contextWindow: m.contextWindow } : {}),
        ...("reasoning" in m && m.reasoning !== undefined ? { reasoning: m.reasoning } : {}),
        available: d.catalog.usable(p.id),
      });
    }
  }
  for (const agentId of d.roster.ids())
    for (const ref of await d.modelRefs(agentId)) {
      const [provider = "", ...rest] = ref.split("/");
      const id = rest.join("/");
      if (!rows.has(ref) && id)
        rows.set(ref, {
          id,
          name: id,
          provider,
          available: d.catalog.all().some((p) => p.id === provider && d.catalog.usable(p.id)),
        });
    }
  return [...rows.values()];
}

/** The agent's display identity: `identity.name`, else `name`, else "Assistant". */
function identityOf(d: AgentMethodDeps, agentId: string) {
  const e = d.roster.entry(agentId);
  const name = e?.identity?.name ?? e?.name;
  return {
    agentId,
    name: name ?? "Assistant",
    nameSource: e?.identity?.name ? "identity" : e?.name ? "config" : "default",
    avatar: e?.identity?.emoji ?? (name ?? "Assistant").slice(0, 1).toUpperCase(),
  };
}

/**
 * The agent roster and models for gateway clients (reference RPCs `agents.list`,
 * `agent.identity.get`, `models.list`; all operator.read):
 * - `agents.list` → `{defaultId, ownership:"sole", selectionRequired:false, mainKey:"main",
 *   scope:"per-sender", agents:[{id, name?, kind:"agent", model:{primary, fallbacks}, identity?,
 *   workspace (admin only)}]}` — holdfast always has a default agent (the first), so no selection is
 *   required;
 * - `agent.identity.get` {agentId?} → `{agentId, name, nameSource, avatar}`;
 * - `models.list` → `{models:[{id, name, provider, contextWindow?, reasoning?, available}]}`.
 */
export function agentMethods(d: AgentMethodDeps): AnyMethodDef[] {
  const known = (agentId: string | undefined) => {
    const ids = d.roster.ids();
    return agentId && ids.includes(agentId) ? agentId : (ids[0] ?? "main");
  };
  return [
    defineMethod({
      name: "agents.list",
      scope: "operator.read",
      params: z.looseObject({}),
      async handler(_p, ctx) {
        const ids = d.roster.ids();
        const admin = ctx.conn.scopes.has("operator.admin");
        const agents = await Promise.all(
          ids.map(async (id) => {
            const e = d.roster.entry(id);
            const [primary, ...fallbacks] = await d.modelRefs(id);
            return {
              id,
              ...(e?.name ? { name: e.name } : {}),
              kind: "agent",
              ...(primary ? { model: { primary, ...(fallbacks.length ? { fallbacks } : {}) } } : {}),
              ...(e?.identity
                ? {
                    identity: {
                      ...(e.identity.name ? { name: e.identity.name } : {}),
                      ...(e.identity.emoji ? { emoji: e.identity.emoji } : {}),
                    },
                  }
                : {}),
              ...(admin ? { workspace: d.roster.workspaceOf(id) } : {}),
            };
          }),
        );
        return {
          defaultId: ids[0] ?? "main",
          ownership: "sole",
          selectionRequired: false,
          mainKey: "main",
          scope: "per-sender",
          agents,
        };
      },
    }),
    defineMethod({
      name: "agent.identity.get",
      scope: "operator.read",
      params: z.looseObject({ agentId: z.string().max(64).optional(), sessionKey: z.string().max(512).optional() }),
      handler: (p) => identityOf(d, known(p.agentId ?? /^agent:([^:]+):/.exec(p.sessionKey ?? "")?.[1])),
    }),
    defineMethod({
      name: "models.list",
      scope: "operator.read",
      params: z.looseObject({}),
      handler: async () => ({ models: await modelRows(d) }),
    }),
  ];
}
