import { finding, isRemotelyExposed, type AuditCheck, type Finding } from "../../audit/index.js";
import { gatewayAuth } from "../../gateway/audit/index.js";
import { secretEquals } from "../../infra/index.js";
import { HOOKS_MIN_TOKEN_CHARS, normalizeHooksPath } from "../settings.js";

/**
 * Webhook ingress settings (reference §10.1, §9.4 "Hooks"), only when `hooks.enabled`: short token,
 * token reused from the gateway (critical), `hooks.path` "/" (critical), no default session key,
 * unrestricted agent ids and caller-chosen session keys (critical when remote, else warn). The gateway
 * refuses to start with the critical ones (`checkHooksSettings`); the audit still names them.
 */
export const hooksCheck: AuditCheck = {
  id: "hooks",
  area: "hooks",
  run(ctx) {
    const h = ctx.config.hooks;
    if (h?.enabled !== true) return [];
    const out: Finding[] = [];
    const sev = isRemotelyExposed(ctx.config) ? "critical" : "warn";
    const token = ctx.secrets.snapshot.get("hooks.token");
    const gw = gatewayAuth(ctx);
    if (token !== undefined && token.length < HOOKS_MIN_TOKEN_CHARS)
      out.push(
        finding({
          checkId: "hooks.token_too_short",
          severity: "warn",
          title: "Webhook token is short",
          detail: `hooks.token has ${token.length} characters (fewer than ${HOOKS_MIN_TOKEN_CHARS}).`,
          remediation: "Use 32 random bytes.",
        }),
      );
    if (token !== undefined && (secretEquals(token, gw.token) || secretEquals(token, gw.password))) {
      out.push(
        finding({
          checkId: "hooks.token_reuse_gateway_token",
          severity: "critical",
          title: "Webhook token equals the gateway credential",
          detail: "hooks.token is the same as the gateway token/password: a webhook sender could drive the gateway.",
          remediation: "Give hooks their own token.",
        }),
      );
    }
    if (normalizeHooksPath(h.path) === "")
      out.push(
        finding({
          checkId: "hooks.path_root",
          severity: "critical",
          title: 'Webhooks mounted at "/"',
          detail: 'hooks.path is "/": webhook handling shadows every gateway route.',
          remediation: 'Use hooks.path "/hooks".',
        }),
      );
    if (!h.defaultSessionKey)
      out.push(
        finding({
          checkId: "hooks.default_session_key_unset",
          severity: "warn",
          title: "Webhooks without a default session key",
          detail: "hooks.defaultSessionKey is not set; each request gets a new session.",
          remediation: "Set hooks.defaultSessionKey.",
        }),
      );
    if (!h.allowedAgentIds || h.allowedAgentIds.includes("*"))
      out.push(
        finding({
          checkId: "hooks.allowed_agent_ids_unrestricted",
          severity: sev,
          title: "Webhooks may target any agent",
          detail: 'hooks.allowedAgentIds is unset or contains "*".',
          remediation: "List the agent ids webhooks may use in hooks.allowedAgentIds.",
        }),
      );
    if (h.allowRequestSessionKey === true) {
      out.push(
        finding({
          checkId: "hooks.request_session_key_enabled",
          severity: sev,
          title: "Webhook callers choose the session",
          detail: "hooks.allowRequestSessionKey is true: a caller can write into any session, including the main one.",
          remediation: "Set hooks.allowRequestSessionKey: false.",
        }),
      );
      if (!h.allowedSessionKeyPrefixes?.length)
        out.push(
          finding({
            checkId: "hooks.request_session_key_prefixes_missing",
            severity: sev,
            title: "Caller session keys are not fenced",
            detail: "hooks.allowedSessionKeyPrefixes is empty.",
            remediation: 'Set hooks.allowedSessionKeyPrefixes (e.g. ["hook:"]).',
          }),
        );
    }
    return out;
  },
};
