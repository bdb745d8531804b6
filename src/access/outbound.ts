import { allow, deny, type Decision } from "../infra/index.js";
import { allowListMatches, mergeAllowLists, normalizeSenderId, type AllowList } from "./normalize.js";
import { groupSettings, type AccessPolicy } from "./policy.js";

/** Why an outbound send was admitted. */
export type OutboundAllowReason = "dm_recipient_allowlisted" | "dm_policy_open" | "group_admitted";

/** Why an outbound send was refused (stable; the send never happens). */
export type OutboundDenyReason =
  | "dm_policy_disabled"
  | "dm_recipient_not_allowlisted"
  | "recipient_invalid"
  | "group_policy_disabled"
  | "group_not_allowlisted"
  | "group_disabled";

/** An outbound decision. */
export type OutboundDecision = Decision<OutboundAllowReason, OutboundDenyReason>;

/** Where a send goes, as the channel adapter resolved it. */
export type OutboundRecipient =
  | { readonly chatType: "direct"; readonly userId: string }
  | { readonly chatType: "group"; readonly chatId: string; readonly guildId?: string | undefined };

/**
 * Decides whether the bot may send to a recipient it was not answering (the `message` tool, the send
 * API). A DM goes only to a user whose DMs inbound access would admit: `allowFrom` (plus pairing
 * approvals under `pairing`; `"*"` admits everyone); `disabled` sends no DMs. A group message goes only to a group
 * that inbound access would admit as a room: `groupPolicy` not `disabled`, listed in `groups` (or the
 * Discord guild/channel map) when one is set, and not disabled. Pure: no I/O.
 * Source: the Slack and Discord issue ("outbound sends respect the channel's DM policy and allowlists").
 */
export function decideOutbound(policy: AccessPolicy, to: OutboundRecipient, storeAllow: AllowList): OutboundDecision {
  if (to.chatType === "group") {
    if (policy.groupPolicy === "disabled") return deny("group_policy_disabled");
    const group = groupSettings(policy, to.chatId, to.guildId);
    if (!group.listed) return deny("group_not_allowlisted", `${to.chatId} is not in the group allowlist`);
    if (!group.enabled) return deny("group_disabled");
    return allow("group_admitted");
  }
  if (policy.dmPolicy === "disabled") return deny("dm_policy_disabled");
  const userId = normalizeSenderId(policy.channel, to.userId);
  if (userId === undefined) return deny("recipient_invalid", `"${to.userId.slice(0, 64)}" is not a user id`);
  const admitted = policy.dmPolicy === "pairing" ? mergeAllowLists(policy.allowFrom, storeAllow) : policy.allowFrom;
  if (allowListMatches({ ...admitted, wildcard: false }, userId)) return allow("dm_recipient_allowlisted");
  if (admitted.wildcard) return allow("dm_policy_open");
  return deny("dm_recipient_not_allowlisted", `user ${userId} may not be sent DMs under dmPolicy "${policy.dmPolicy}"`);
}
