export { SessionStore, type SessionOrigin, redactDeep } from "./store.js";
export { canonicalSessionKey, mainSessionKey } from "./session-key.js";
export {
  interruptedMark,
  isEmptyPartial,
  type ChatMessage,
  type ToolCall,
  type SessionMeta,
  type MessageSender,
} from "./types.js";
export { sessionMethods } from "./methods.js";
export type { TranscriptArchive, RewriteResult } from "./archives.js";
export type { TranscriptHeader } from "./transcript-read.js";
