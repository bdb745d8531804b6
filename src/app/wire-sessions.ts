import { SessionStore } from "../sessions/index.js";
import type { SecretsStage } from "../secrets/index.js";
import type { StateStore } from "../store/index.js";
import type { AppContext } from "./context.js";

/**
 * Transcripts under `<stateDir>/agents/<id>/sessions` (redacted, mode 600) and the session index in the
 * state database. An assistant reply that holds a configured secret is stored withheld, as it was sent.
 */
export function wireSessions(
  ctx: AppContext,
  state: StateStore,
  secrets: Pick<SecretsStage, "withholdReply">,
): SessionStore {
  return new SessionStore({
    agentsDir: ctx.paths.agentsDir,
    clock: ctx.clock,
    state,
    log: ctx.log.child({ stage: "sessions" }),
    redact: (text) => ctx.redactor.redact(text),
    withholdReply: secrets.withholdReply,
  });
}
