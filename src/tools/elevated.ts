import type { ChatCommand } from "../commands/index.js";
import type { HoldfastConfig } from "../config/index.js";
import { allow, deny, type Decision } from "../infra/index.js";
import type { Logger } from "../logging/index.js";
import type { SecurityTrail } from "../trail/index.js";

/** A sender as the elevated gates see it. WebChat operators (no channel sender) are `webchat:operator`. */
export interface ElevatedSender {
  readonly channel: string;
  readonly id: string;
}

/** The sender of a run, or the authenticated WebChat operator when the run has none. */
export function elevatedSenderOf(sender: { channel: string; id: string } | undefined): ElevatedSender {
  return sender ?? { channel: "webchat", id: "operator" };
}

function listAllows(list: readonly (string | number)[] | undefined, id: string): boolean {
  if (!list) return false;
  return list.some((raw) => {
    const e = String(raw).trim();
    if (e === "*") return true;
    const bare = e.replace(/^(id|from|e164):/i, "");
    return bare === id;
  });
}

/**
 * The elevated gates (reference §6.5; seeds "Elevated Bash Access"), all must pass:
 * `tools.elevated.enabled` is true (holdfast: off unless set), the sender is in
 * `tools.elevated.allowFrom.<channel>`, the agent's `tools.elevated.enabled` is not false, and the
 * agent's `tools.elevated.allowFrom.<channel>` (when set) lists the sender too. A bare-list
 * `allowFrom` (older docs) grants nothing. Entry forms: `"*"`, `<id>`, `id:`, `from:`, `e164:`.
 * @returns allow("elevated_allowed") or deny(reason, the failing config key).
 */
export function elevatedGate(
  config: HoldfastConfig,
  agentId: string,
  sender: ElevatedSender,
): Decision<"elevated_allowed", "elevated_disabled" | "elevated_sender_not_allowed"> {
  const g = config.tools?.elevated;
  if (g?.enabled !== true) return deny("elevated_disabled", "tools.elevated.enabled");
  const allowFrom = g.allowFrom && !Array.isArray(g.allowFrom) ? g.allowFrom : undefined;
  if (!listAllows(allowFrom?.[sender.channel], sender.id))
    return deny("elevated_sender_not_allowed", `tools.elevated.allowFrom.${sender.channel}`);
  const i = (config.agents?.list ?? []).findIndex((a) => a.id === agentId);
  const agent = i >= 0 ? config.agents?.list?.[i]?.tools?.elevated : undefined;
  if (agent?.enabled === false) return deny("elevated_disabled", `agents.list.${i}.tools.elevated.enabled`);
  if (agent?.allowFrom && !listAllows(agent.allowFrom[sender.channel], sender.id))
    return deny("elevated_sender_not_allowed", `agents.list.${i}.tools.elevated.allowFrom.${sender.channel}`);
  return allow("elevated_allowed");
}

/**
 * Per-session elevated switches, in memory only (they never survive a gateway restart). Elevated
 * lets `exec` run on the host instead of the sandbox; it never re-admits a denied tool and never
 * skips the exec policy or approvals.
 */
export class ElevatedSessions {
  private readonly on = new Set<string>();

  set(sessionKey: string, value: boolean): void {
    if (value) this.on.add(sessionKey);
    else this.on.delete(sessionKey);
  }

  isOn(sessionKey: string): boolean {
    return this.on.has(sessionKey);
  }
}

/**
 * `/elevated on|off` (alias `/elev`); without an argument it shows the state. Audit-logged. Turning it
 * on gives the session host exec, which the gateway offers only to `operator.admin` (`nodes.run`), so
 * a gateway client needs that scope for `on`; `off` and the state need what `sessions.delete` and
 * `status` need.
 */
export function elevatedCommand(
  state: ElevatedSessions,
  config: () => HoldfastConfig,
  out: { readonly log: Logger; readonly trail: SecurityTrail },
): ChatCommand {
  const { log, trail } = out;
  return {
    name: "elevated",
    aliases: ["elev"],
    summary: "run exec on the host instead of the sandbox for this session: /elevated on|off",
    stands: (args) => {
      const arg = args.trim().toLowerCase();
      if (arg === "on") return { method: "nodes.run", scope: "operator.admin" };
      return arg === "off"
        ? { method: "sessions.delete", scope: "operator.write" }
        : { method: "status", scope: "operator.read" };
    },
    run(args, inv) {
      const arg = args.trim().toLowerCase();
      const sender =
        inv.channel === "webchat" ? elevatedSenderOf(undefined) : { channel: inv.channel, id: inv.senderId };
      if (arg === "") return `Elevated mode is ${state.isOn(inv.sessionKey) ? "on" : "off"} for this session.`;
      if (arg !== "on" && arg !== "off") return "Usage: /elevated on|off";
      if (arg === "on") {
        const d = elevatedGate(config(), inv.agentId, sender);
        if (!d.allow) {
          log.info(
            {
              audit: "elevated",
              sessionKey: inv.sessionKey,
              by: `${inv.channel}:${inv.senderId}`,
              decision: "refused",
              reason: d.reason,
            },
            "elevated refused",
          );
          void trail.record({
            type: "elevated.refused",
            actor: { kind: "person", person: { channel: inv.channel, id: inv.senderId } },
            details: { agentId: inv.agentId, reason: d.reason },
          });
          return `Elevated mode is not available to you (${d.detail ?? d.reason}).`;
        }
      }
      state.set(inv.sessionKey, arg === "on");
      log.info(
        { audit: "elevated", sessionKey: inv.sessionKey, by: `${inv.channel}:${inv.senderId}`, decision: arg },
        `elevated ${arg}`,
      );
      void trail.record({
        type: arg === "on" ? "elevated.on" : "elevated.off",
        actor: { kind: "person", person: { channel: inv.channel, id: inv.senderId } },
        details: { agentId: inv.agentId },
      });
      return arg === "on"
        ? "Elevated mode on: exec runs on the host for this session (until /elevated off or a gateway restart). Tool policy and exec approvals still apply."
        : "Elevated mode off.";
    },
  };
}
