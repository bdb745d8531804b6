import { SessionStore } from "../sessions/index.js";
import type { AppContext } from "./context.js";

/** Transcripts and the session index under `<stateDir>/agents/<id>/sessions` (redacted, mode 600). */
export function wireSessions(ctx: AppContext): SessionStore {
  return new SessionStore({
    agentsDir: ctx.paths.agentsDir,
    clock: ctx.clock,
    redact: (text) => ctx.redactor.redact(text),
  });
}
