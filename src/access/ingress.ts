import { allow, deny, type Decision } from "../infra/index.js";
import { matchesMentionPattern, patternsApplyIn } from "./mention.js";
import {
  allowListMatches,
  isEmptyAllowList,
  mergeAllowLists,
  normalizeSenderId,
  parseAllowList,
  type AllowList,
} from "./normalize.js";
import { groupSettings, type AccessPolicy } from "./policy.js";

/** Why ingress admitted a message (stable; logged at debug, never with message content). */
export type IngressAllowReason =
  "dm_policy_open" | "dm_policy_allowlisted" | "mentioned" | "reply_to_bot" | "command_bypass" | "mention_not_required";

/** Why ingress refused a message (stable; logged at debug, never with message content). */
export type IngressDenyReason =
  | "dm_policy_disabled"
  | "dm_policy_not_allowlisted"
  | "dm_policy_pairing_required"
  | "sender_invalid"
  | "group_policy_disabled"
  | "group_not_allowlisted"
  | "group_disabled"
  | "group_policy_empty_allowlist"
  | "group_sender_not_allowlisted"
  | "mention_required";

/** Reason codes of ingress decisions. */
export type IngressReason = IngressAllowReason | IngressDenyReason;

/** An ingress decision: admitted with an {@link IngressAllowReason} or refused with an {@link IngressDenyReason}. */
export type IngressDecision = Decision<IngressAllowReason, IngressDenyReason>;

/** What ingress looks at in an inbound message. */
export interface IngressInput {
  readonly chatType: "direct" | "group";
  readonly chatId: string;
  /** Sender id as the platform reports it (normalized here). */
  readonly senderId: string;
  readonly text: string;
  /** The platform marked a mention of this bot (Telegram `@bot_username` entity or text mention). */
  readonly mentionsBot: boolean;
  /** The message mentions someone (anyone); blocks the control-command bypass. */
  readonly hasAnyMention: boolean;
  /** The message replies to one of the bot's messages (implicit mention). */
  readonly replyToBot: boolean;
  /** Discord: the guild of a guild channel (the outer level of the group allowlist). */
  readonly guildId?: string | undefined;
  /** The sender's platform names (handle, display name); matched only under `dangerouslyAllowNameMatching`. */
  readonly senderNames?: readonly string[] | undefined;
}

/** Facts ingress needs besides the policy. */
export interface IngressContext {
  /** Pairing-store approvals of this channel account (count for DMs under `pairing` only). */
  readonly storeAllow: AllowList;
  /** The routed agent's mention regexes. */
  readonly mentionRegexes: readonly RegExp[];
  /** The text is exactly one registered chat command. */
  readonly isControlCommand: boolean;
}

/** An ingress decision plus what later stages need. */
export interface IngressResult {
  readonly decision: IngressDecision;
  /** Normalized sender id (undefined when the platform id is unusable). */
  readonly senderId: string | undefined;
  /** May run chat commands here: passed access and is explicitly listed (or in `commands.allowFrom`). */
  readonly commandAuthorized: boolean;
  /** In `commands.ownerAllowFrom`. */
  readonly owner: boolean;
}

/**
 * Decides whether an inbound message may reach the agent. DMs: `dmPolicy` over `allowFrom` (plus
 * pairing approvals only under `pairing`). Groups, in this order: `groupPolicy` → group and sender
 * allowlists (`groups`, per-group `allowFrom`, `groupAllowFrom` falling back to `allowFrom`; pairing
 * approvals never count) → mention gating. A control command bypasses mention gating only when the
 * sender is command-authorized and the message mentions nobody, so an unauthorized `/command` never
 * does. Pure: no I/O.
 * Source: seeds security-architecture.md "Access Control Model"; reference §4.1, §4.4–§4.6.
 */
export function decideIngress(policy: AccessPolicy, input: IngressInput, ctx: IngressContext): IngressResult {
  const senderId = normalizeSenderId(policy.channel, input.senderId);
  const owner = senderId !== undefined && policy.owners.has(senderId);
  const names = policy.nameMatching ? (input.senderNames ?? []) : [];
  const matches = (list: AllowList) => allowListMatches(list, senderId, names);
  const result = (decision: IngressDecision, listed: boolean): IngressResult => {
    const cmd = decision.allow && (policy.commandAllowFrom ? matches(policy.commandAllowFrom) : listed);
    return { decision, senderId, commandAuthorized: cmd, owner: decision.allow && owner };
  };
  if (senderId === undefined) return result(deny("sender_invalid"), false);
  const facts: Facts = { policy, input, senderId, ctx, finish: result, matches };
  return input.chatType === "direct" ? decideDm(facts) : decideGroup(facts);
}

type Finish = (decision: IngressDecision, listed: boolean) => IngressResult;

/** What the DM and group branches of {@link decideIngress} decide over. */
interface Facts {
  readonly policy: AccessPolicy;
  readonly input: IngressInput;
  /** Normalized sender id. */
  readonly senderId: string;
  readonly ctx: IngressContext;
  readonly finish: Finish;
  /** Allowlist match of this sender (id; names only under name matching). */
  readonly matches: (list: AllowList) => boolean;
}

function decideDm({ policy, ctx, finish, matches }: Facts): IngressResult {
  if (policy.dmPolicy === "disabled") return finish(deny("dm_policy_disabled"), false);
  const effective =
    policy.dmPolicy === "pairing" ? mergeAllowLists(policy.allowFrom, ctx.storeAllow) : policy.allowFrom;
  if (matches({ ...effective, wildcard: false })) return finish(allow("dm_policy_allowlisted"), true);
  if (effective.wildcard) return finish(allow("dm_policy_open"), true);
  if (policy.dmPolicy === "pairing") return finish(deny("dm_policy_pairing_required"), false);
  return finish(deny("dm_policy_not_allowlisted"), false);
}

function decideGroup({ policy, input, ctx, finish, matches }: Facts): IngressResult {
  if (policy.groupPolicy === "disabled") return finish(deny("group_policy_disabled"), false);
  const group = groupSettings(policy, input.chatId, input.guildId);
  if (!group.listed) return finish(deny("group_not_allowlisted"), false);
  if (!group.enabled) return finish(deny("group_disabled"), false);
  const own = group.allowFrom !== undefined ? parseAllowList(policy.channel, group.allowFrom) : undefined;
  const senders = own ?? (isEmptyAllowList(policy.groupAllowFrom) ? policy.allowFrom : policy.groupAllowFrom);
  const listed = matches(senders);
  if (policy.groupPolicy === "allowlist" && isEmptyAllowList(senders))
    return finish(deny("group_policy_empty_allowlist"), false);
  if ((policy.groupPolicy === "allowlist" || own !== undefined) && !listed)
    return finish(deny("group_sender_not_allowlisted"), false);
  if (!group.requireMention) return finish(allow("mention_not_required"), listed);
  const patterns = patternsApplyIn(policy, input.chatId) && matchesMentionPattern(ctx.mentionRegexes, input.text);
  if (input.mentionsBot || patterns) return finish(allow("mentioned"), listed);
  if (input.replyToBot) return finish(allow("reply_to_bot"), listed);
  const cmdAuthorized = policy.commandAllowFrom ? matches(policy.commandAllowFrom) : listed;
  if (ctx.isControlCommand && cmdAuthorized && !input.hasAnyMention) return finish(allow("command_bypass"), listed);
  return finish(deny("mention_required"), listed);
}
