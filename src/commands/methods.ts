import { z } from "zod";
import { defineMethod, type AnyMethodDef } from "../gateway/index.js";
import type { ChatCommandRegistry } from "./registry.js";

/** One chat command as gateway clients list it (reference `commands.list` row). */
export interface CommandRow {
  readonly name: string;
  readonly nativeName: string;
  readonly textAliases: readonly string[];
  readonly description: string;
  readonly category: string;
  readonly source: "native";
  readonly scope: "text";
  readonly acceptsArgs: boolean;
  readonly ownerOnly: boolean;
}

/** The registered chat commands as rows (for `commands.list` and chat metadata). */
export function commandRows(registry: Pick<ChatCommandRegistry, "list">): CommandRow[] {
  return registry.list().map((c) => ({
    name: c.name,
    nativeName: c.name,
    textAliases: [c.name, ...(c.aliases ?? [])].map((n) => `/${n}`),
    description: c.summary,
    category: "status",
    source: "native",
    scope: "text",
    acceptsArgs: true,
    ownerOnly: c.ownerOnly === true,
  }));
}

/**
 * `commands.list` {agentId?, scope?, includeArgs?} (operator.read) → `{commands:[row]}`: the chat
 * commands a client can offer for completion (`/help`, `/status`, `/new`, `/approve`, ...). Sending
 * one through `chat.send` runs it with the scopes of the connection.
 */
export function commandMethods(registry: Pick<ChatCommandRegistry, "list">): AnyMethodDef[] {
  return [
    defineMethod({
      name: "commands.list",
      scope: "operator.read",
      params: z.looseObject({}),
      handler: () => ({ commands: commandRows(registry) }),
    }),
  ];
}
