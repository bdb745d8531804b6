export { SessionStore, type SessionStoreOptions, type SessionOrigin, redactDeep } from "./store.js";
export { canonicalSessionKey, mainSessionKey, type ParsedSessionKey } from "./session-key.js";
export type { ChatMessage, ToolCall, SessionMeta, MessageSender } from "./types.js";
export { sessionMethods } from "./methods.js";
