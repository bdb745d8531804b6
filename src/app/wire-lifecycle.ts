import type { AgentStage } from "../agent/index.js";
import type { AgentRoster } from "../config/index.js";
import type { GatewayPorts } from "../gateway/index.js";
import { createLifecycleStage, retentionPolicy, type LifecycleStage } from "../lifecycle/index.js";
import type { SandboxStage } from "../sandbox/index.js";
import type { SessionStore } from "../sessions/index.js";
import type { AppContext } from "./context.js";

/**
 * The data lifecycle: retention sweeps over the sessions and inbound media (at start, every 10 minutes,
 * and `sessions.cleanup`). Running turns of a session are aborted before the session is removed.
 */
export function wireLifecycle(
  ctx: AppContext,
  w: {
    readonly roster: AgentRoster;
    readonly sessions: SessionStore;
    readonly sandbox: Pick<SandboxStage, "jails">;
    readonly agent: Pick<AgentStage, "runs">;
    readonly gateway: Pick<GatewayPorts, "methods">;
  },
): LifecycleStage {
  return createLifecycleStage({
    policy: retentionPolicy(ctx.config, w.roster),
    sessions: w.sessions,
    media: w.sandbox.jails.media,
    abortSession: (key) => w.agent.runs.abort({ sessionKey: key }),
    clock: ctx.clock,
    log: ctx.log.child({ stage: "lifecycle" }),
    methods: w.gateway.methods,
  });
}
