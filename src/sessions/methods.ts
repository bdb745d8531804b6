import { z } from "zod";
import { defineMethod, type AnyMethodDef } from "../gateway/index.js";
import type { SessionStore } from "./store.js";

/**
 * Session methods: `sessions.list` {agentId?, limit?} → `{sessions, count}`;
 * `sessions.delete` {key} → `{ok, deleted}` (a running turn of that session is aborted first).
 */
export function sessionMethods(store: SessionStore, abortSession: (key: string) => void): AnyMethodDef[] {
  return [
    defineMethod({
      name: "sessions.list",
      scope: "operator.read",
      params: z.looseObject({
        agentId: z.string().max(64).optional(),
        limit: z.number().int().min(1).max(10_000).optional(),
      }),
      async handler(p) {
        const all = await store.list(p.agentId);
        const sessions = p.limit ? all.slice(0, p.limit) : all;
        return { sessions, count: all.length };
      },
    }),
    defineMethod({
      name: "sessions.delete",
      scope: "operator.write",
      params: z.looseObject({ key: z.string().min(1).max(512) }),
      async handler(p) {
        const meta = await store.get(p.key);
        if (meta) abortSession(meta.key);
        return { ok: true, deleted: await store.delete(p.key) };
      },
    }),
  ];
}
