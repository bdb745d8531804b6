/**
 * Access control: who may talk to the bot, decided before the model sees anything ("identity first").
 * DM policy with allowlists and pairing, group policy with sender allowlists and mention gating, and
 * the pairing stores. Every decision is a value with a reason code.
 */
export {
  decideIngress,
  type IngressInput,
  type IngressContext,
  type IngressResult,
  type IngressReason,
} from "./ingress.js";
export {
  resolveAccessPolicy,
  groupSettings,
  type AccessPolicy,
  type AccountAccessConfig,
  type DmPolicy,
  type GroupPolicy,
} from "./policy.js";
export {
  normalizeSenderId,
  parseAllowList,
  mergeAllowLists,
  allowListMatches,
  isEmptyAllowList,
  EMPTY_ALLOW_LIST,
  type AllowList,
} from "./normalize.js";
export { mentionRegexesFor, matchesMentionPattern, normalizeMentionText, patternsApplyIn } from "./mention.js";
export { PairingStore, AllowStore, pairingKey, requireSenderId, DEFAULT_ACCOUNT_ID } from "./pairing/store.js";
export { pairingReplyText, PAIRING_APPROVED_TEXT } from "./pairing/messages.js";
export {
  PAIRING_ALPHABET,
  PAIRING_CODE_LENGTH,
  PAIRING_TTL_MS,
  PAIRING_MAX_PENDING,
  randomPairingCode,
  upsertRequest,
  pruneRequests,
  findByCode,
  isLive,
  type PairingRequest,
  type PairingFile,
  type UpsertOutcome,
} from "./pairing/state.js";
export { createAccessStage, type AccessStage, type AccessStageDeps } from "./stage.js";
