import { z } from "zod";
import { defineMethod, type AnyMethodDef } from "../gateway/index.js";
import type { SessionEvents } from "./events.js";
import { canonicalSessionKey } from "./session-key.js";
import type { SessionStore } from "./store.js";
import type { SessionMeta } from "./types.js";
import { previewOf, sessionRow } from "./wire.js";

/** What the session methods need. */
export interface SessionMethodDeps {
  readonly store: Pick<SessionStore, "list" | "get" | "delete" | "history">;
  /** Agent ids, the default first. */
  readonly agentIds: () => readonly string[];
  /** Aborts a session's runs (before it is deleted). */
  readonly abortSession: (key: string) => void;
  /** True while a run of the session is queued or running. */
  readonly isActive: (key: string) => boolean;
  /** The model defaults of an agent (`sessions.list.defaults`). */
  readonly defaults: (agentId: string) => Promise<Record<string, unknown>>;
  readonly events: Pick<SessionEvents, "subscribe" | "unsubscribe" | "subscribeMessages" | "unsubscribeMessages">;
  readonly now: () => number;
}

/** Rows that get a last-message preview at most (each reads its transcript's tail). */
const MAX_PREVIEWS = 50;

export const ListParams = z.looseObject({
  agentId: z.string().max(64).optional(),
  limit: z.number().int().min(1).max(10_000).optional(),
  offset: z.number().int().min(0).optional(),
  search: z.string().max(200).optional(),
  activeOnly: z.boolean().optional(),
  configuredAgentsOnly: z.boolean().optional(),
  includeLastMessage: z.boolean().optional(),
});
type ListParams = z.infer<typeof ListParams>;

const Key = z.string().min(1).max(512);

/**
 * Session methods (reference session-control RPCs; docs/protocol.md):
 * - `sessions.list` {agentId?, limit?, offset?, search?, activeOnly?, configuredAgentsOnly?,
 *   includeLastMessage?} (operator.read) → `{ts, count, totalCount, limitApplied, offset, nextOffset,
 *   hasMore, defaults, sessions:[row]}`, newest first;
 * - `sessions.describe` {key} (operator.read) → `{session: row | null}`;
 * - `sessions.subscribe` {...list params} (operator.read) → `{subscribed:true, list?}` (the list when
 *   params were given), then `sessions.changed` events; `sessions.unsubscribe`;
 * - `sessions.messages.subscribe` {key} (operator.read) → `{subscribed:true, key}`, then
 *   `session.message` events for that session; `sessions.messages.unsubscribe` {key};
 * - `sessions.delete` {key} (operator.write) → `{ok, deleted}` (a running turn is aborted first).
 */
export function sessionMethods(d: SessionMethodDeps): AnyMethodDef[] {
  const row = async (m: SessionMeta, preview: boolean) => {
    const last = preview ? previewOf((await d.store.history(m.key, 1))[0]) : undefined;
    return sessionRow(m, { active: d.isActive(m.key), ...(last ? { lastMessagePreview: last } : {}) });
  };
  const list = async (p: ListParams) => {
    const ids = d.agentIds();
    let all = await d.store.list(p.agentId);
    if (p.configuredAgentsOnly) all = all.filter((m) => ids.includes(m.agentId));
    if (p.activeOnly) all = all.filter((m) => d.isActive(m.key));
    const q = p.search?.trim().toLowerCase();
    if (q) all = all.filter((m) => m.key.includes(q) || (m.displayName ?? "").toLowerCase().includes(q));
    const offset = p.offset ?? 0;
    const limit = p.limit ?? 100;
    const page = all.slice(offset, offset + limit);
    const sessions = await Promise.all(page.map((m, i) => row(m, p.includeLastMessage === true && i < MAX_PREVIEWS)));
    const hasMore = offset + page.length < all.length;
    return {
      ts: d.now(),
      count: sessions.length,
      totalCount: all.length,
      limitApplied: limit,
      offset,
      nextOffset: hasMore ? offset + page.length : null,
      hasMore,
      defaults: await d.defaults(p.agentId && ids.includes(p.agentId) ? p.agentId : (ids[0] ?? "main")),
      sessions,
    };
  };
  return [
    defineMethod({ name: "sessions.list", scope: "operator.read", params: ListParams, handler: (p) => list(p) }),
    defineMethod({
      name: "sessions.describe",
      scope: "operator.read",
      params: z.looseObject({ key: Key }),
      async handler(p) {
        const meta = await d.store.get(canonicalSessionKey(p.key, d.agentIds()[0] ?? "main").key);
        return { session: meta ? await row(meta, true) : null };
      },
    }),
    defineMethod({
      name: "sessions.subscribe",
      scope: "operator.read",
      params: ListParams,
      async handler(p, ctx) {
        d.events.subscribe(ctx.conn.connId);
        return Object.keys(p).length > 0 ? { subscribed: true, list: await list(p) } : { subscribed: true };
      },
    }),
    defineMethod({
      name: "sessions.unsubscribe",
      scope: "operator.read",
      params: z.looseObject({}),
      handler(_p, ctx) {
        d.events.unsubscribe(ctx.conn.connId);
        return { subscribed: false };
      },
    }),
    defineMethod({
      name: "sessions.messages.subscribe",
      scope: "operator.read",
      params: z.looseObject({ key: Key }),
      handler(p, ctx) {
        const { key } = canonicalSessionKey(p.key, d.agentIds()[0] ?? "main");
        d.events.subscribeMessages(ctx.conn.connId, key);
        return { subscribed: true, key };
      },
    }),
    defineMethod({
      name: "sessions.messages.unsubscribe",
      scope: "operator.read",
      params: z.looseObject({ key: Key }),
      handler(p, ctx) {
        const { key } = canonicalSessionKey(p.key, d.agentIds()[0] ?? "main");
        d.events.unsubscribeMessages(ctx.conn.connId, key);
        return { subscribed: false, key };
      },
    }),
    defineMethod({
      name: "sessions.delete",
      scope: "operator.write",
      params: z.looseObject({ key: Key }),
      async handler(p) {
        const meta = await d.store.get(p.key);
        if (meta) d.abortSession(meta.key);
        return { ok: true, deleted: await d.store.delete(p.key) };
      },
    }),
  ];
}
