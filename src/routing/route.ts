import { normalizeSenderId } from "../access/index.js";
import type { BindingConfig, HoldfastConfig } from "../config/index.js";
import { HoldfastError } from "../errors/index.js";
import { normalizeAccountId, normalizeAgentId } from "./ids.js";
import { buildSessionKey, DEFAULT_DM_SCOPE, type DmScope } from "./session-key.js";

/** Where an inbound message comes from, as routing sees it. */
export interface RouteInput {
  readonly channel: string;
  readonly accountId: string;
  readonly chatType: "direct" | "group";
  /** Normalized sender id. */
  readonly senderId: string;
  readonly chatId: string;
  readonly threadId?: string;
  /** `channels.<ch>[.accounts.<id>].dmScope`; overrides `session.dmScope`. */
  readonly channelDmScope?: DmScope;
}

/** The agent and session a message goes to. */
export interface Route {
  readonly agentId: string;
  readonly sessionKey: string;
  readonly dmScope: DmScope;
  readonly matchedBy: "binding.peer" | "binding.account" | "binding.channel" | "default";
}

/**
 * Routes inbound messages to an agent and a session key. `bindings[]` select the agent: the most
 * specific match wins (peer > account > channel-only; config order breaks ties); otherwise the default
 * agent. dmScope precedence: channel/account > `session.dmScope` > holdfast's `per-channel-peer`.
 * Source: seeds security-architecture.md "Layer 4: Session Isolation"; reference §5.2.
 */
export class Router {
  private readonly bindings: readonly BindingConfig[];

  /**
   * @param agentIds known agents, the default first.
   * @throws HoldfastError HF_CHANNEL_CONFIG when a binding names an agent that does not exist.
   */
  constructor(
    private readonly config: HoldfastConfig,
    private readonly agentIds: readonly string[],
  ) {
    this.bindings = config.bindings ?? [];
    this.bindings.forEach((b, i) => {
      if (!agentIds.includes(normalizeAgentId(b.agentId))) {
        throw new HoldfastError(
          "HF_CHANNEL_CONFIG",
          `bindings.${i}.agentId: unknown agent "${b.agentId}" (known: ${agentIds.join(", ")})`,
        );
      }
    });
  }

  /** Resolves the agent and session key of a message. */
  resolve(input: RouteInput): Route {
    const { agentId, matchedBy } = this.pickAgent(input);
    const dmScope = input.channelDmScope ?? this.config.session?.dmScope ?? DEFAULT_DM_SCOPE;
    const session = this.config.session;
    const sessionKey = buildSessionKey({
      agentId,
      channel: input.channel,
      accountId: normalizeAccountId(input.accountId),
      chatType: input.chatType,
      dmScope,
      ...(input.chatType === "direct" ? { peerId: input.senderId } : { groupId: input.chatId }),
      ...(input.threadId ? { threadId: input.threadId } : {}),
      ...(session?.identityLinks ? { identityLinks: session.identityLinks } : {}),
      ...(session?.groupScope ? { groupScope: session.groupScope } : {}),
      ...(session?.scope ? { scope: session.scope } : {}),
    });
    return { agentId, sessionKey, dmScope, matchedBy };
  }

  private pickAgent(input: RouteInput): { agentId: string; matchedBy: Route["matchedBy"] } {
    let best: { agentId: string; rank: number } | undefined;
    for (const b of this.bindings) {
      const rank = matchRank(b, input);
      if (rank !== undefined && (!best || rank > best.rank)) best = { agentId: normalizeAgentId(b.agentId), rank };
    }
    if (!best) return { agentId: this.agentIds[0] ?? "main", matchedBy: "default" };
    const by = (["binding.channel", "binding.account", "binding.peer"] as const)[best.rank] ?? "binding.channel";
    return { agentId: best.agentId, matchedBy: by };
  }
}

/** Where `bindings[]` send the messages of one channel account ({@link bindingTargets}). */
export interface BindingTargets {
  /** The agent of every message no peer binding takes (normalized id). */
  readonly rest: string;
  /** The peer bindings of the account, each with its agent (normalized id). */
  readonly peers: readonly { readonly agentId: string; readonly kind: "direct" | "group"; readonly id: string }[];
}

/**
 * The agents the messages of `channel` account `accountId` can reach, as {@link Router} picks them:
 * a peer binding takes that peer's messages; the rest go to the first account binding of the account,
 * else the first channel-only (or `accountId: "*"`) binding, else the default agent (`agentIds[0]`).
 * Used by the security audit to tell which agents a channel's senders reach.
 */
export function bindingTargets(
  config: HoldfastConfig,
  agentIds: readonly string[],
  channel: string,
  accountId: string,
): BindingTargets {
  let best: { agentId: string; rank: number } | undefined;
  const peers: { agentId: string; kind: "direct" | "group"; id: string }[] = [];
  for (const b of config.bindings ?? []) {
    const rank = accountRank(b, channel, accountId);
    if (rank === undefined) continue;
    const agentId = normalizeAgentId(b.agentId);
    if (b.match.peer) peers.push({ agentId, ...bindingPeer(channel, b.match.peer) });
    else if (!best || rank > best.rank) best = { agentId, rank };
  }
  return { rest: best?.agentId ?? normalizeAgentId(agentIds[0]), peers };
}

/** 2 = peer match, 1 = account match, 0 = channel-only match, undefined = no match. */
function matchRank(b: BindingConfig, input: RouteInput): number | undefined {
  const rank = accountRank(b, input.channel, input.accountId);
  if (rank === undefined || !b.match.peer) return rank;
  const want = bindingPeer(input.channel, b.match.peer);
  if (want.kind !== input.chatType) return undefined;
  const have = want.kind === "group" ? groupPeerId(input.channel, input.chatId) : peerId(input.channel, input.senderId);
  return want.id === have ? 2 : undefined;
}

/**
 * How a binding matches a channel account, its `match.peer` aside: 1 = it names this account, 0 = any
 * account of the channel (no `accountId`, or `"*"`), undefined = another channel or account.
 */
function accountRank(b: BindingConfig, channel: string, accountId: string): 0 | 1 | undefined {
  const m = b.match;
  if (m.channel.trim().toLowerCase() !== channel) return undefined;
  const acct = m.accountId?.trim();
  if (acct === undefined || acct === "*") return 0;
  return normalizeAccountId(acct) === normalizeAccountId(accountId) ? 1 : undefined;
}

/** A binding's peer as routing compares it: its chat type and its id in normalized form. */
function bindingPeer(
  channel: string,
  peer: NonNullable<BindingConfig["match"]["peer"]>,
): { kind: "direct" | "group"; id: string } {
  const kind = peer.kind === "group" ? "group" : "direct";
  return { kind, id: kind === "group" ? groupPeerId(channel, peer.id) : peerId(channel, peer.id) };
}

/**
 * A group id as bindings compare it: Signal's case-sensitive base64 ids exactly (`group:`/`signal:group:`
 * prefixes dropped; reference §5.1), others like peer ids.
 */
function groupPeerId(channel: string, id: string | number): string {
  if (channel.toLowerCase() !== "signal") return peerId(channel, id);
  return String(id)
    .trim()
    .replace(/^(signal:)?group:/i, "");
}

/** A peer id in the channel's normalized form (prefixes such as `tg:` stripped), else lowercased. */
function peerId(channel: string, id: string | number): string {
  return normalizeSenderId(channel, id) ?? String(id).trim().toLowerCase();
}
