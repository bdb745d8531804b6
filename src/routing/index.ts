/**
 * Routing: which agent answers a message and in which session (session keys per dmScope, bindings,
 * identityLinks). Distinct senders never share a session unless dmScope is `main` or they are linked.
 */
export { Router, type Route, type RouteInput } from "./route.js";
export { buildSessionKey, DEFAULT_DM_SCOPE, type DmScope, type SessionKeyInput } from "./session-key.js";
export { normalizeAgentId, normalizeAccountId, normalizeRouteId, encodeKeyPart } from "./ids.js";
