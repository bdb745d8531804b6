import type { ChatCommand, ChatCommandRegistry } from "./registry.js";

/** What the built-in commands need from the other stages. */
export interface BuiltinCommandDeps {
  /** Starts a fresh session: aborts running turns and archives the transcript. */
  readonly resetSession: (sessionKey: string) => Promise<void>;
  /** One-line status of a session (agent, model, message count). */
  readonly describeSession: (sessionKey: string, agentId: string) => Promise<string>;
}

/** `/help`, `/status`, `/new` (alias `/reset`). */
export function builtinCommands(deps: BuiltinCommandDeps, registry: ChatCommandRegistry): ChatCommand[] {
  return [
    {
      name: "help",
      summary: "list the commands",
      run: () =>
        registry
          .list()
          .map((c) => `/${c.name} — ${c.summary}${c.ownerOnly ? " (owner)" : ""}`)
          .join("\n"),
    },
    {
      name: "status",
      summary: "show this conversation's session and agent",
      stands: () => ({ method: "status", scope: "operator.read" }),
      run: (_args, inv) => deps.describeSession(inv.sessionKey, inv.agentId),
    },
    {
      name: "new",
      aliases: ["reset"],
      summary: "start a fresh conversation (the old transcript is archived)",
      stands: () => ({ method: "sessions.delete", scope: "operator.write" }),
      run: async (_args, inv) => {
        await deps.resetSession(inv.sessionKey);
        return "Started a new conversation.";
      },
    },
  ];
}
