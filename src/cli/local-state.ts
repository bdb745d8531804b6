import { wireLifecycle, type AppContext } from "../app/index.js";
import { readPidInfo, type GatewayClient } from "../client/index.js";
import type { LifecycleStage } from "../lifecycle/index.js";
import { InboundMedia } from "../sandbox/index.js";
import { SessionStore } from "../sessions/index.js";
import { openStateStore, type StateStore } from "../store/index.js";
import { cliContext, withLocalGateway } from "./context.js";

/** The state of a state dir opened by a CLI command (no gateway involved). */
export interface LocalState {
  readonly ctx: AppContext;
  readonly state: StateStore;
  readonly sessions: SessionStore;
  /** The lifecycle stage over these stores (no timer, no gateway methods). */
  readonly lifecycle: LifecycleStage;
  /** Flushes the transcripts and closes the database. */
  close(): Promise<void>;
}

/** Opens the session store and state database of this state dir for a CLI command. */
export async function openLocalState(ctx?: AppContext): Promise<LocalState> {
  const c = ctx ?? (await cliContext());
  const state = await openStateStore({ stateDir: c.paths.stateDir, agentsDir: c.paths.agentsDir, log: c.log });
  const sessions = new SessionStore({ agentsDir: c.paths.agentsDir, clock: c.clock, state, log: c.log });
  const lifecycle = wireLifecycle(c, { sessions, state, media: new InboundMedia(c.paths.mediaDir) });
  return {
    ctx: c,
    state,
    sessions,
    lifecycle,
    close: async () => {
      await sessions.close();
      state.close();
    },
  };
}

/**
 * Runs a change to the stores in the process that owns them: through the running gateway of this state
 * dir when there is one (its transcripts are open for appending, so only it may rewrite them), else on
 * the files directly.
 */
export async function viaGatewayOrLocal<T>(w: {
  readonly scopes: readonly string[];
  readonly gateway: (client: GatewayClient) => Promise<T>;
  readonly local: (state: LocalState) => Promise<T>;
}): Promise<T> {
  const ctx = await cliContext();
  if (await readPidInfo(ctx.paths.pidFile)) return withLocalGateway(w.scopes, w.gateway, ctx);
  const local = await openLocalState(ctx);
  try {
    return await w.local(local);
  } finally {
    await local.close();
  }
}
