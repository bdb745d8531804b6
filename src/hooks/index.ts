/**
 * Webhook ingress: `POST <hooks.path>/wake` and `POST <hooks.path>/agent` on the gateway port, their
 * authentication and limits, and the start refusals of their settings. See docs/hooks.md.
 */
export {
  createHooksStage,
  type HooksStage,
  type HooksStageDeps,
  type HookOutbound,
  type HookRunEnd,
  type HooksGmailDeps,
} from "./stage.js";
export {
  checkHooksSettings,
  hookSettings,
  normalizeHooksPath,
  DEFAULT_HOOKS_PATH,
  HOOKS_MIN_TOKEN_CHARS,
  HOOKS_READ_TIMEOUT_MS,
  type HookSettings,
  type HookDelivery,
  type HooksCheckInput,
} from "./settings.js";
export { HOOKS_MAX_FAILURES, HOOKS_FAILURE_WINDOW_MS } from "./auth.js";
export { gmailSettings, PushTokenVerifier, GMAIL_MAX_BODY_CHARS, type GmailSettings } from "./gmail.js";
export { HttpGmailApi, GmailTokenSource, type GmailApi, type GmailMessage, type GmailPart } from "./gmail-api.js";
export { GMAIL_BACKOFF_BASE_MS, GMAIL_BACKOFF_MAX_MS, type GmailMailboxStatus } from "./gmail-sync.js";
