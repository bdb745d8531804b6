export { SessionStore, type SessionStoreOptions, type SessionOrigin, type SessionChange, redactDeep } from "./store.js";
export { TRANSCRIPT_CACHE_DEFAULTS, type TranscriptCacheLimits } from "./transcript-cache.js";
export { canonicalSessionKey, mainSessionKey } from "./session-key.js";
export {
  interruptedMark,
  isEmptyPartial,
  type ChatMessage,
  type ToolCall,
  type SessionMeta,
  type MessageSender,
} from "./types.js";
export { sessionMethods, type SessionMethodDeps } from "./methods.js";
export { SessionEvents, type SessionEventsDeps } from "./events.js";
export { toWireMessage, toWireMessages, sessionRow } from "./wire.js";
export { statusSessions, healthSessions, type SessionSummaryDeps, type RecentSession } from "./summary.js";
export type { TranscriptArchive, RewriteResult } from "./archives.js";
export type { TranscriptHeader } from "./transcript-read.js";
export { OWNER, isTrusted, taintLabel, newTurnMarker, wrapUntrusted, type Provenance } from "./provenance.js";
