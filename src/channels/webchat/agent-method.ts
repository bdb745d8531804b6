import { z } from "zod";
import type { RunEvent, RunManager } from "../../agent/index.js";
import { HoldfastError, type ErrorCode } from "../../errors/index.js";
import { defineMethod, type AnyMethodDef } from "../../gateway/index.js";
import type { SessionStore } from "../../sessions/index.js";
import { agentTarget } from "./targets.js";

/** What the `agent` method needs. */
export interface AgentMethodDeps {
  readonly runs: Pick<RunManager, "startGrouped" | "abort">;
  readonly store: Pick<SessionStore, "list" | "get">;
  readonly agentIds: () => readonly string[];
  readonly now: () => number;
}

/** Longest `timeout` a caller may ask for (s); the reference CLI sends 600 by default. */
const MAX_TIMEOUT_S = 24 * 3600;

const AgentParams = z.looseObject({
  message: z.string().min(1).max(100_000),
  agentId: z.string().min(1).max(64).optional(),
  sessionKey: z.string().min(1).max(512).optional(),
  sessionId: z.string().min(1).max(128).optional(),
  deliver: z.boolean().optional(),
  /** Seconds; 0 or absent: no limit beyond the run's own bounds. */
  timeout: z.number().min(0).max(MAX_TIMEOUT_S).optional(),
  idempotencyKey: z.string().min(1).max(200).optional(),
  to: z.string().max(512).optional(),
  channel: z.string().max(64).optional(),
  model: z.string().max(256).optional(),
  extraSystemPrompt: z.string().max(100_000).optional(),
});
type AgentParams = z.infer<typeof AgentParams>;

/** Refuses what holdfast's `agent` does not do, naming the param (never silently ignored). */
function refuseUnsupported(p: AgentParams): void {
  const unsupported = [
    p.deliver === true ? "deliver: true (the reply is returned to the caller; send it with a channel instead)" : "",
    p.to ? "to" : "",
    p.channel && p.channel !== "last" ? "channel" : "",
    p.model ? "model (the agent's configured model chain is used)" : "",
    p.extraSystemPrompt ? "extraSystemPrompt" : "",
  ].filter(Boolean);
  if (unsupported.length > 0)
    throw new HoldfastError("HF_UNSUPPORTED_PARAMS", `agent: not supported by holdfast: ${unsupported.join("; ")}`);
}

/** The outcome of one run, collected from its events. */
interface Outcome {
  text?: string;
  model?: string;
  error?: { readonly message: string; readonly code: ErrorCode };
}

/**
 * `agent` (operator.write; reference Appendix A.5): runs one turn and answers **twice on the same
 * request id** — first `{runId, sessionKey, agentId, status:"accepted", acceptedAt}`, then, when the
 * run ends, `{runId, status:"ok", summary:"completed", result:{payloads:[{text}], meta:{durationMs,
 * agentMeta:{sessionId, provider, model}}}}`; a timeout ends with `status:"timeout"`, an abort with
 * `status:"aborted"`, a failed run with the run's error (reference error shape, its HF code in
 * `details.code`). Params `{message, agentId | sessionKey | sessionId, deliver, timeout (s),
 * idempotencyKey}`; `runId` is the idempotency key when given. A repeated key while that run is still
 * going answers once with `status:"in_flight"`. Delivering to a channel and a model override are
 * refused (HF_UNSUPPORTED_PARAMS).
 */
export function agentMethod(deps: AgentMethodDeps): AnyMethodDef {
  return defineMethod({
    name: "agent",
    scope: "operator.write",
    params: AgentParams,
    async handler(p, ctx) {
      refuseUnsupported(p);
      const target = await agentTarget(deps.agentIds(), deps.store, p);
      const outcome: Outcome = {};
      const collect = (ev: RunEvent) => {
        if (ev.event.type === "final") Object.assign(outcome, { text: ev.event.text, model: ev.event.model });
        if (ev.event.type === "error") outcome.error = { message: ev.event.message, code: ev.event.code };
      };
      const acceptedAt = deps.now();
      // Committed in the group commit shared with the messages that arrived together (fsynced first).
      const run = await deps.runs.startGrouped({
        agentId: target.agentId,
        sessionKey: target.key,
        message: p.message,
        ...(p.idempotencyKey ? { idempotencyKey: p.idempotencyKey } : {}),
        origin: { channel: "webchat", chatType: "direct" },
        onEvent: collect,
      });
      if (run.deduped)
        return run.status === "queued" || run.status === "started"
          ? { runId: run.runId, sessionKey: target.key, agentId: target.agentId, status: "in_flight" }
          : {
              runId: run.runId,
              status: "ok",
              summary: "completed (already run)",
              deduped: true,
              result: { payloads: [] },
            };
      ctx.accept({ runId: run.runId, sessionKey: target.key, agentId: target.agentId, status: "accepted", acceptedAt });
      const timedOut = await withTimeout(run.done, p.timeout, () => deps.runs.abort({ runId: run.runId }));
      const durationMs = deps.now() - acceptedAt;
      if (timedOut) return { runId: run.runId, status: "timeout", summary: `timed out after ${p.timeout} s` };
      if (outcome.error?.code === "HF_RUN_ABORTED") return { runId: run.runId, status: "aborted", summary: "aborted" };
      if (outcome.error) throw new HoldfastError(outcome.error.code, outcome.error.message, { runId: run.runId });
      if (outcome.text === undefined)
        throw new HoldfastError("HF_PROVIDER_BAD_RESPONSE", "the run ended without a reply", { runId: run.runId });
      const meta = await deps.store.get(target.key);
      const [provider, ...model] = (outcome.model ?? "").split("/");
      return {
        runId: run.runId,
        status: "ok",
        summary: "completed",
        result: {
          payloads: [{ text: outcome.text, mediaUrl: null }],
          meta: {
            durationMs,
            agentMeta: {
              ...(meta ? { sessionId: meta.sessionId } : {}),
              ...(outcome.model ? { provider, model: model.join("/") || provider } : {}),
            },
          },
        },
      };
    },
  });
}

/** Waits for `done`; after `timeoutS` seconds (when > 0) calls `onTimeout` and resolves true once done settles. */
async function withTimeout(done: Promise<void>, timeoutS: number | undefined, onTimeout: () => void): Promise<boolean> {
  if (!timeoutS) return done.then(() => false);
  let fired = false;
  const timer = setTimeout(() => {
    fired = true;
    onTimeout();
  }, timeoutS * 1000);
  try {
    await done;
  } finally {
    clearTimeout(timer);
  }
  return fired;
}
