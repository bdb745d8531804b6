import type { AgentRoster } from "../config/index.js";
import { Router } from "../routing/index.js";
import type { AppContext } from "./context.js";

/**
 * Routing: bindings, `session.dmScope` and identityLinks decide the agent and session of a message.
 * @throws HoldfastError HF_CHANNEL_CONFIG for bindings naming unknown agents.
 */
export function wireRouting(ctx: AppContext, roster: AgentRoster): Router {
  return new Router(ctx.config, roster.ids());
}
