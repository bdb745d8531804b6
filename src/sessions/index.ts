export { SessionStore, type SessionOrigin, type SessionChange } from "./store.js";
export { canonicalSessionKey, mainSessionKey } from "./session-key.js";
export type { ChatMessage, ToolCall, SessionMeta, MessageSender } from "./types.js";
export { sessionMethods, type SessionMethodDeps } from "./methods.js";
export { SessionEvents, type SessionEventsDeps } from "./events.js";
export { toWireMessage, toWireMessages, sessionRow } from "./wire.js";
export { statusSessions, healthSessions, type SessionSummaryDeps, type RecentSession } from "./summary.js";
