import type { AgentStage } from "../agent/index.js";
import { commandMethods, createCommandStage, type ChatCommandRegistry } from "../commands/index.js";
import type { AgentRoster } from "../config/index.js";
import type { MethodRegistrar } from "../gateway/index.js";
import type { SessionStore } from "../sessions/index.js";
import type { LifecycleStage } from "../lifecycle/index.js";
import type { ToolStage } from "../tools/index.js";

/**
 * The chat commands: `/help`, `/status`, `/new`, then the tool stage's `/approve`, `/deny`,
 * `/elevated`, then `/export-session`; and `commands.list`, which lists them for gateway clients.
 */
export function wireCommands(w: {
  readonly roster: AgentRoster;
  readonly sessions: SessionStore;
  readonly agent: Pick<AgentStage, "runs">;
  readonly tools: Pick<ToolStage, "commands">;
  readonly gateway: { readonly methods: MethodRegistrar };
  readonly lifecycle: Pick<LifecycleStage, "commands">;
}): ChatCommandRegistry {
  const registry = createCommandStage({
    sessions: w.sessions,
    runs: w.agent.runs,
    modelOf: (agentId) => w.roster.entry(agentId)?.model,
    extra: [...w.tools.commands, ...w.lifecycle.commands],
  });
  w.gateway.methods.register(...commandMethods(registry));
  return registry;
}
