/**
 * Access control: who may talk to the bot, decided before the model sees anything ("identity first").
 * DM policy with allowlists and pairing, group policy with sender allowlists and mention gating, and
 * the pairing stores. Every decision is a value with a reason code.
 */
export { decideIngress, type IngressResult } from "./ingress.js";
export { ownersFor, type AccessPolicy, type AccountAccessConfig } from "./policy.js";
export { normalizeSenderId, parseAllowList, EMPTY_ALLOW_LIST, type AllowList } from "./normalize.js";
export { mentionRegexesFor } from "./mention.js";
export { PairingStore, pairingKey } from "./pairing/store.js";
export { pairingReplyText, PAIRING_APPROVED_TEXT } from "./pairing/messages.js";
export type { PairingRequest } from "./pairing/state.js";
export { createAccessStage, type AccessStage } from "./stage.js";
export {
  decideOutbound,
  type OutboundDecision,
  type OutboundRecipient,
  type OutboundDenyReason,
  type OutboundAllowReason,
} from "./outbound.js";
export type { GuildAccess, GuildChannelAccess } from "./policy.js";
