import { z } from "zod";
import { defineMethod, type AnyMethodDef } from "../../gateway/index.js";
import { sessionRow, toWireMessages, type SessionStore } from "../../sessions/index.js";
import { sessionTarget } from "./targets.js";

/** What a client shows next to a chat: the agent's models, the chat commands and the model defaults. */
export interface ChatMetadataPort {
  models(agentId: string): Promise<readonly unknown[]>;
  commands(): readonly unknown[];
  /** `{modelProvider, model, contextTokens}` of an agent. */
  defaults(agentId: string): Promise<Record<string, unknown>>;
}

/** What the chat read methods need. */
export interface ChatReadDeps {
  readonly store: Pick<SessionStore, "history" | "get">;
  readonly agentIds: () => readonly string[];
  /** True while a run of the session is queued or running. */
  readonly isActive: (key: string) => boolean;
  readonly metadata: ChatMetadataPort;
}

const Target = {
  sessionKey: z.string().min(1).max(512),
  agentId: z.string().max(64).optional(),
};

/**
 * The chat reads of the gateway socket (all operator.read; reference session-control RPCs):
 * - `chat.history` {sessionKey, agentId?, limit?} → `{sessionKey, sessionId?, messages}` — messages in
 *   the wire shape (assistant `content` parts, `toolResult` messages, `__openclaw.seq` positions);
 * - `chat.startup` {sessionKey, agentId?, limit?, maxBytes?} → the history page plus `{totalMessages,
 *   hasMore, nextOffset, defaults, sessionInfo, thinkingLevel:"off", metadata}` in one call, the
 *   oldest messages dropped first while the page is larger than `maxBytes`;
 * - `chat.metadata` {agentId?, sessionKey?} → `{models, commands, runtimeSelectionLocked:true}`
 *   (holdfast uses the agent's configured model chain; clients cannot switch it).
 */
export function chatReadMethods(d: ChatReadDeps): AnyMethodDef[] {
  const page = async (sessionKey: string, agentId: string | undefined, limit: number) => {
    const t = sessionTarget(d.agentIds(), sessionKey, agentId);
    const meta = await d.store.get(t.key);
    const history = await d.store.history(t.key, limit);
    const total = Math.max(meta?.messageCount ?? 0, history.length);
    return { t, meta, total, messages: toWireMessages(history, total) };
  };
  return [
    defineMethod({
      name: "chat.history",
      scope: "operator.read",
      params: z.looseObject({ ...Target, limit: z.number().int().min(1).max(1000).optional() }),
      async handler(p) {
        const { t, meta, messages } = await page(p.sessionKey, p.agentId, p.limit ?? 200);
        return { sessionKey: t.key, ...(meta ? { sessionId: meta.sessionId } : {}), messages };
      },
    }),
    defineMethod({
      name: "chat.startup",
      scope: "operator.read",
      params: z.looseObject({
        ...Target,
        limit: z.number().int().min(1).max(1000).optional(),
        maxBytes: z
          .number()
          .int()
          .min(1024)
          .max(16 * 1024 * 1024)
          .optional(),
      }),
      async handler(p) {
        const { t, meta, total, messages } = await page(p.sessionKey, p.agentId, p.limit ?? 80);
        const kept = withinBytes(messages, p.maxBytes ?? 262_144);
        return {
          sessionKey: t.key,
          ...(meta ? { sessionId: meta.sessionId } : {}),
          messages: kept,
          totalMessages: total,
          hasMore: kept.length < total,
          nextOffset: kept.length < total ? kept.length : null,
          defaults: await d.metadata.defaults(t.agentId),
          sessionInfo: meta ? sessionRow(meta, { active: d.isActive(t.key) }) : null,
          thinkingLevel: "off",
          metadata: await metadataOf(d, t.agentId),
        };
      },
    }),
    defineMethod({
      name: "chat.metadata",
      scope: "operator.read",
      params: z.looseObject({ agentId: z.string().max(64).optional(), sessionKey: z.string().max(512).optional() }),
      handler: (p) => {
        const agentId = p.sessionKey ? sessionTarget(d.agentIds(), p.sessionKey, p.agentId).agentId : p.agentId;
        return metadataOf(d, agentId && d.agentIds().includes(agentId) ? agentId : (d.agentIds()[0] ?? "main"));
      },
    }),
  ];
}

async function metadataOf(d: ChatReadDeps, agentId: string) {
  return { models: await d.metadata.models(agentId), commands: d.metadata.commands(), runtimeSelectionLocked: true };
}

/** The newest messages whose JSON fits in `maxBytes` (at least the newest one). */
function withinBytes(messages: readonly Record<string, unknown>[], maxBytes: number): Record<string, unknown>[] {
  let bytes = 0;
  let from = messages.length;
  while (from > 0) {
    const size = Buffer.byteLength(JSON.stringify(messages[from - 1]));
    if (bytes + size > maxBytes && from < messages.length) break;
    bytes += size;
    from -= 1;
  }
  return messages.slice(from);
}
