/**
 * Routing: which agent answers a message and in which session (session keys per dmScope, bindings,
 * identityLinks). Distinct senders never share a session unless dmScope is `main` or they are linked.
 */
export { Router, bindingTargets, type BindingTargets, type Route } from "./route.js";
export type { DmScope } from "./session-key.js";
export { normalizeAccountId, normalizeAgentId } from "./ids.js";
