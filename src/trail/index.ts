/**
 * The tamper-evident security trail: the {@link SecurityTrail} port stages record security events
 * through, its hash-chained file `<stateDir>/audit/security.jsonl` with per-person pseudonym keys,
 * and the reading side of `holdfast audit-log show|verify`. Source: issue "Tamper-evident security trail".
 */
export {
  SECURITY_EVENT_TYPES,
  noSecurityTrail,
  gatewayActor,
  type SecurityEventType,
  type SecurityEvent,
  type SecurityActor,
  type SecurityTrail,
  type PersonRef,
  type DetailValue,
  type TrailEntry,
} from "./types.js";
export { verifyChain, chainEntry, GENESIS_HASH, type ChainVerdict, type ChainBreak } from "./chain.js";
export { FileSecurityTrail, trailPaths, type TrailPaths } from "./file-trail.js";
export { PseudonymStore } from "./pseudonyms.js";
export { verifyTrail, queryTrail, formatEntry, trailLines, type TrailQuery } from "./read.js";
