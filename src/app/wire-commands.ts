import type { AgentStage } from "../agent/index.js";
import { createCommandStage, type ChatCommandRegistry } from "../commands/index.js";
import type { AgentRoster } from "../config/index.js";
import type { SessionStore } from "../sessions/index.js";
import type { LifecycleStage } from "../lifecycle/index.js";
import type { ToolStage } from "../tools/index.js";

/** The chat commands: `/help`, `/status`, `/new`, then the tool stage's `/approve`, `/deny`, `/elevated`, then `/export-session`. */
export function wireCommands(w: {
  readonly roster: AgentRoster;
  readonly sessions: SessionStore;
  readonly agent: Pick<AgentStage, "runs">;
  readonly tools: Pick<ToolStage, "commands">;
  readonly lifecycle: Pick<LifecycleStage, "commands">;
}): ChatCommandRegistry {
  return createCommandStage({
    sessions: w.sessions,
    runs: w.agent.runs,
    modelOf: (agentId) => w.roster.entry(agentId)?.model,
    extra: [...w.tools.commands, ...w.lifecycle.commands],
  });
}
