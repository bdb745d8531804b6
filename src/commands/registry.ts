import { HoldfastError } from "../errors/index.js";
import { hasScope, type Scope } from "../gateway/index.js";
import { cliHint } from "../infra/index.js";

/**
 * Chat control commands (`/status`, `/new`, `/approve <id>`, `/elevated on`, ...). A command runs
 * only for a sender who passed access control for that chat; an unauthorized sender's command is
 * ignored silently and never bypasses mention gating (reference §4.5–§4.6, seeds "ingress gating").
 */

/** Who sent a command, and where. */
export interface CommandInvocation {
  /** `webchat`, `telegram`, ... */
  readonly channel: string;
  readonly accountId?: string;
  /** Channel sender id (for WebChat: the gateway connection id). */
  readonly senderId: string;
  readonly chatType: "direct" | "group";
  readonly chatId?: string;
  readonly agentId: string;
  readonly sessionKey: string;
  /** The sender passed access control for this chat (allowlist, pairing approval, operator auth). */
  readonly authorized: boolean;
  /** The sender is an owner: in `commands.ownerAllowFrom`, or the authenticated gateway operator. */
  readonly owner: boolean;
  /**
   * The operator scopes of the gateway connection that sent the command (WebChat / `chat.send`);
   * undefined for channel senders, who are judged by their channel's owner and allowFrom rules.
   */
  readonly scopes?: ReadonlySet<string>;
}

/** The gateway method a command stands for, and the scope that method requires. */
export interface CommandScope {
  /** The gateway method with the same effect (`exec.approval.resolve`, ...). */
  readonly method: string;
  readonly scope: Scope;
}

/** A chat command. `run` returns the reply text. */
export interface ChatCommand {
  /** Lowercase name without the slash. */
  readonly name: string;
  readonly aliases?: readonly string[];
  readonly summary: string;
  readonly ownerOnly?: boolean;
  /**
   * The gateway method this command (with these args) stands for: a gateway client must hold that
   * method's scope to run it (seeds "chat commands check the same scopes as the gateway methods they
   * stand for"). Undefined: the command mirrors no method (`/help`).
   */
  readonly stands?: (args: string) => CommandScope | undefined;
  run(args: string, inv: CommandInvocation): Promise<string> | string;
}

/** Result of {@link ChatCommandRegistry.execute}: not a command, or handled (reply absent = stay silent). */
export type CommandOutcome =
  { readonly handled: false } | { readonly handled: true; readonly reply?: string; readonly reason: string };

/** Parses `/name args` (Telegram's `/name@BotName args` too). Returns undefined for anything else. */
export function parseCommand(text: string): { name: string; args: string } | undefined {
  const m = /^\/([A-Za-z][A-Za-z0-9_-]{0,31})(?:@[A-Za-z0-9_]{1,64})?(?:\s+([\s\S]*))?$/.exec(text.trim());
  return m ? { name: (m[1] as string).toLowerCase(), args: (m[2] ?? "").trim() } : undefined;
}

/** The registered chat commands. */
export class ChatCommandRegistry {
  private readonly commands = new Map<string, ChatCommand>();

  /** Adds commands. @throws Error when a name or alias is taken (a wiring bug). */
  register(...cmds: ChatCommand[]): void {
    for (const c of cmds) {
      for (const n of [c.name, ...(c.aliases ?? [])]) {
        if (this.commands.has(n)) throw new HoldfastError("HF_INTERNAL", `chat command /${n} registered twice`);
        this.commands.set(n, c);
      }
    }
  }

  /** True when `text` is exactly one registered command (with optional args). */
  isControlCommand(text: string): boolean {
    const p = parseCommand(text);
    return p !== undefined && this.commands.has(p.name);
  }

  /** The distinct commands (for `/help`). */
  list(): ChatCommand[] {
    return [...new Set(this.commands.values())];
  }

  /**
   * Runs `text` as a command for `inv`. Not a registered command → `{handled:false}` (plain text).
   * Unauthorized sender → handled silently (`command_unauthorized`). A gateway client without the
   * scope of the method the command stands for → handled with a refusal (`command_missing_scope`).
   * Owner-only command from a non-owner → handled with a refusal (`command_owner_only`).
   */
  async execute(text: string, inv: CommandInvocation): Promise<CommandOutcome> {
    const p = parseCommand(text);
    const cmd = p ? this.commands.get(p.name) : undefined;
    if (!p || !cmd) return { handled: false };
    if (!inv.authorized) return { handled: true, reason: "command_unauthorized" };
    const missing = missingScope(cmd, p.args, inv);
    if (missing) {
      return {
        handled: true,
        reason: "command_missing_scope",
        reply: `/${cmd.name} needs the ${missing.scope} scope (like the gateway method ${missing.method}); this connection has ${[...(inv.scopes ?? [])].sort().join(", ") || "no scopes"}.`,
      };
    }
    if (cmd.ownerOnly && !inv.owner) {
      return {
        handled: true,
        reason: "command_owner_only",
        reply: `/${cmd.name} is owner-only. An owner can allow you with: ${cliHint("config set commands.ownerAllowFrom")} '["${inv.channel}:${inv.senderId}"]'`,
      };
    }
    return { handled: true, reason: "command_ran", reply: await cmd.run(p.args, inv) };
  }
}

/** The method scope `inv` lacks to run `cmd` with `args`, or undefined (channel senders are not scope-checked). */
export function missingScope(cmd: ChatCommand, args: string, inv: CommandInvocation): CommandScope | undefined {
  if (inv.scopes === undefined) return undefined;
  const need = cmd.stands?.(args);
  return need && !hasScope(inv.scopes, need.scope) ? need : undefined;
}
