import { z } from "zod";
import type { RunManager } from "../../agent/index.js";
import type { ChatCommandRegistry } from "../../commands/index.js";
import { defineMethod, type AnyMethodDef } from "../../gateway/index.js";
import type { CommandReply } from "./chat-events.js";
import { sessionTarget } from "./targets.js";

/** What the WebChat methods need. */
export interface WebChatDeps {
  readonly runs: Pick<RunManager, "startGrouped" | "abort">;
  /** Agent ids that exist (the default agent first). */
  readonly agentIds: () => readonly string[];
  /**
   * Chat commands (`/status`, `/new`, ...); the authenticated operator is their owner, and each needs
   * the connection's scope for the gateway method it stands for.
   */
  readonly commands: ChatCommandRegistry;
  /** Sends a command's reply as a `final` chat event of a synthetic run. */
  readonly announce: (reply: CommandReply) => void;
}

const SendParams = z.looseObject({
  sessionKey: z.string().min(1).max(512),
  agentId: z.string().max(64).optional(),
  message: z.string().min(1).max(100_000),
  idempotencyKey: z.string().min(1).max(200),
});

/**
 * The WebChat channel: operators talk to agents over the authenticated gateway socket. The operator is
 * authenticated by the gateway (identity first), so these methods route straight to the agent.
 * - `chat.send` {sessionKey, message, idempotencyKey} → `{runId, status:"started"}` once the message is
 *   committed to disk (in a group commit with the messages that arrived together), then `chat` events. The same idempotencyKey again (even after a restart) →
 *   `{runId, status, deduped:true, outcome?}` of the first run (`status` `in_flight`, `ok`, `error`,
 *   `aborted` or `interrupted`); the model is not called again. A storage failure answers with its
 *   HF_STATE_* code and nothing is accepted;
 * - `chat.abort` {sessionKey, runId?} → `{ok, aborted}`.
 */
export function webChatMethods(deps: WebChatDeps): AnyMethodDef[] {
  const resolve = (key: string) => sessionTarget(deps.agentIds(), key);
  return [
    defineMethod({
      name: "chat.send",
      scope: "operator.write",
      params: SendParams,
      async handler(p, ctx) {
        const { key, agentId } = sessionTarget(deps.agentIds(), p.sessionKey, p.agentId);
        if (deps.commands.isControlCommand(p.message)) {
          // The authenticated operator owns the gateway; each command is checked against the scope of
          // the gateway method it stands for (`scopes`).
          const out = await deps.commands.execute(p.message, {
            channel: "webchat",
            senderId: ctx.conn.connId,
            chatType: "direct",
            agentId,
            sessionKey: key,
            authorized: true,
            owner: true,
            scopes: ctx.conn.scopes,
          });
          if (out.handled) {
            const runId = p.idempotencyKey;
            const text = out.reply;
            if (text !== undefined) setImmediate(() => deps.announce({ runId, sessionKey: key, agentId, text }));
            return { runId, status: "started", command: true };
          }
        }
        const run = await deps.runs.startGrouped({
          agentId,
          sessionKey: key,
          message: p.message,
          idempotencyKey: p.idempotencyKey,
          origin: { channel: "webchat", chatType: "direct" },
          notify: { channel: "webchat" },
        });
        return {
          runId: run.runId,
          status: run.deduped ? (run.status === "queued" ? "in_flight" : run.status) : "started",
          ...(run.deduped ? { deduped: true } : {}),
          ...(run.outcome ? { outcome: run.outcome } : {}),
        };
      },
    }),
    defineMethod({
      name: "chat.abort",
      scope: "operator.write",
      params: z.looseObject({ sessionKey: z.string().min(1).max(512), runId: z.string().max(64).optional() }),
      handler(p) {
        const { key } = resolve(p.sessionKey);
        const aborted = deps.runs.abort(p.runId ? { runId: p.runId } : { sessionKey: key });
        return { ok: true, aborted };
      },
    }),
  ];
}
