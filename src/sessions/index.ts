export { SessionStore, type SessionOrigin } from "./store.js";
export { canonicalSessionKey, mainSessionKey } from "./session-key.js";
export type { ChatMessage, ToolCall, SessionMeta, MessageSender } from "./types.js";
export { sessionMethods } from "./methods.js";
