import type { Logger } from "../logging/index.js";
import { interruptedMark, type ChatMessage, type SessionStore } from "../sessions/index.js";
import type { LedgerRun, RunLedger } from "../store/index.js";

/** What the sender of an interrupted run is told (also its outcome message in the ledger). */
export const INTERRUPTED_NOTICE = "the gateway stopped before this reply was complete; please send the message again";

/** Options of {@link recoverInterruptedRuns}. */
export interface RecoveryOptions {
  readonly ledger: Pick<RunLedger, "open" | "finish" | "interruptOpen">;
  readonly store: Pick<SessionStore, "history" | "append" | "flush">;
  readonly now: () => number;
  readonly log: Logger;
}

/**
 * Start-up recovery of runs that a dead process left open (crash, kill -9, power loss). A run whose
 * final reply already reached its transcript (the process died between that write and the ledger's
 * outcome) is recorded as `ok` with that reply: it was answered. Every other open run is marked
 * `interrupted` in the ledger; its user message — committed to the ledger before the sender was
 * acknowledged — is restored to the transcript if the crash came before the transcript write; then,
 * unless the run's last message is already a partial reply, an interruption mark (an empty partial
 * assistant message, `stopReason: "interrupted"`) is appended so `chat.history` shows what happened.
 * Runs in the oldest-first order they were accepted. Call once, before the gateway accepts work.
 * @returns the interrupted runs (their `origin` says whom to tell)
 * @throws HoldfastError HF_STATE_* when the ledger or a transcript cannot be written (start-up fails)
 */
export async function recoverInterruptedRuns(opts: RecoveryOptions): Promise<LedgerRun[]> {
  await settleAnswered(opts);
  const runs = opts.ledger.interruptOpen(INTERRUPTED_NOTICE);
  for (const run of runs) {
    const history = await opts.store.history(run.sessionKey, 0);
    const user = run.message as ChatMessage;
    const restored = !history.some((m) => m.role === "user" && m.runId === run.runId);
    if (restored && user?.role === "user") await opts.store.append(run.sessionKey, user);
    const last = lastOfRun(history, run.runId);
    if (!(last?.role === "assistant" && last.partial))
      await opts.store.append(run.sessionKey, interruptedMark(run.runId, opts.now()));
    opts.log.warn(
      { runId: run.runId, sessionKey: run.sessionKey, restoredMessage: restored, code: "HF_RUN_INTERRUPTED" },
      "run was interrupted by the previous process ending; marked in its transcript",
    );
  }
  if (runs.length > 0) await opts.store.flush();
  return runs;
}

/** Records open runs whose final reply is in their transcript as `ok`, with that reply. */
async function settleAnswered(opts: RecoveryOptions): Promise<void> {
  for (const run of opts.ledger.open()) {
    const last = lastOfRun(await opts.store.history(run.sessionKey, 0), run.runId);
    if (last?.role !== "assistant" || last.partial || last.toolCalls?.length) continue;
    opts.ledger.finish(run.runId, "ok", {
      text: last.content,
      ...(last.stopReason ? { stopReason: last.stopReason } : {}),
      ...(last.model ? { model: last.model } : {}),
    });
    opts.log.info(
      { runId: run.runId, sessionKey: run.sessionKey },
      "run had answered before the previous process ended; its outcome is taken from the transcript",
    );
  }
}

/** The last message a run wrote to a transcript. */
function lastOfRun(history: readonly ChatMessage[], runId: string): ChatMessage | undefined {
  for (let i = history.length - 1; i >= 0; i--) if (history[i]?.runId === runId) return history[i];
  return undefined;
}
