import type { AgentRoster } from "../config/index.js";
import { createSandboxStage, type SandboxStage } from "../sandbox/index.js";
import type { SessionStore } from "../sessions/index.js";
import type { AppContext } from "./context.js";

/**
 * The sandbox stage: per-scope workspaces under `<stateDir>/sandboxes` (pruned while the gateway
 * runs), the host jail, session cgroups and inbound media under `<stateDir>/media`.
 * @throws HoldfastError HF_CONFIG_INVALID for unsafe sandbox settings and limits this machine cannot enforce.
 */
export function wireSandbox(
  ctx: AppContext,
  w: { readonly roster: AgentRoster; readonly sessions: Pick<SessionStore, "get"> },
): Promise<SandboxStage> {
  return createSandboxStage({
    config: ctx.config,
    configPath: ctx.paths.configPath,
    sandboxesDir: ctx.paths.sandboxesDir,
    mediaDir: ctx.paths.mediaDir,
    roster: w.roster,
    sessionIdOf: async (key) => (await w.sessions.get(key))?.sessionId,
    clock: ctx.clock,
    log: ctx.log.child({ stage: "sandbox" }),
  });
}
