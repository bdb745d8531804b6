import { builtinCommands } from "./builtin.js";
import { ChatCommandRegistry, type ChatCommand } from "./registry.js";

/** Dependencies of {@link createCommandStage}: the sessions, the runs and the agents' models. */
export interface CommandStageDeps {
  readonly sessions: {
    get(key: string): Promise<{ readonly messageCount: number } | undefined>;
    delete(key: string): Promise<unknown>;
  };
  readonly runs: { abort(target: { sessionKey: string }): number };
  /** An agent's configured `model` (a ref, or `{primary, fallbacks}`), undefined for the default. */
  readonly modelOf: (agentId: string) => string | { readonly primary?: string | undefined } | undefined;
  /** Commands of other stages (`/approve`, `/deny`, `/elevated`), listed after the built-in ones. */
  readonly extra: readonly ChatCommand[];
}

/**
 * The chat-command registry: `/help`, `/status`, `/new` (`/reset`), then the other stages' commands.
 * `/new` aborts the session's running turns and archives its transcript.
 */
export function createCommandStage(deps: CommandStageDeps): ChatCommandRegistry {
  const registry = new ChatCommandRegistry();
  registry.register(
    ...builtinCommands(
      {
        resetSession: async (key) => {
          deps.runs.abort({ sessionKey: key });
          await deps.sessions.delete(key);
        },
        describeSession: async (key, agentId) => {
          const meta = await deps.sessions.get(key);
          const model = deps.modelOf(agentId) ?? "default model";
          return `Session ${key} · agent ${agentId} · ${meta ? `${meta.messageCount} messages` : "no messages yet"} · model ${typeof model === "string" ? model : (model.primary ?? "default")}`;
        },
      },
      registry,
    ),
    ...deps.extra,
  );
  return registry;
}
