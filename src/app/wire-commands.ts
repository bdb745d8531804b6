import { builtinCommands, ChatCommandRegistry } from "../commands/index.js";
import type { AgentStage } from "./agent-wiring.js";

/** Builds the chat-command registry with the built-in commands; other stages add theirs. */
export function wireCommands(agent: AgentStage): ChatCommandRegistry {
  const registry = new ChatCommandRegistry();
  registry.register(
    ...builtinCommands(
      {
        resetSession: async (key) => {
          agent.runs.abort({ sessionKey: key });
          await agent.store.delete(key);
        },
        describeSession: async (key, agentId) => {
          const meta = await agent.store.get(key);
          const model = agent.agent(agentId)?.model ?? "default model";
          return `Session ${key} · agent ${agentId} · ${meta ? `${meta.messageCount} messages` : "no messages yet"} · model ${typeof model === "string" ? model : (model.primary ?? "default")}`;
        },
      },
      registry,
    ),
  );
  return registry;
}
