import { finding, isRemotelyExposed, type AuditCheck, type Finding } from "../../audit/index.js";
import { secretEquals } from "../../infra/index.js";
import { gatewayAuth } from "./credentials.js";
import { MIN_SECRET_CHARS } from "./auth.js";

/**
 * Webhook ingress settings (reference §10.1, §9.4 "Hooks"), only when `hooks.enabled`: short token,
 * token reused from the gateway (critical), `hooks.path` "/" (critical), no default session key,
 * unrestricted agent ids and caller-chosen session keys (critical when remote, else warn).
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
    if (token !== undefined && token.length < MIN_SECRET_CHARS)
      out.push(
        finding(
          "hooks.token_too_short",
          "warn",
          "Webhook token is short",
          `hooks.token has ${token.length} characters (fewer than ${MIN_SECRET_CHARS}).`,
          "Use 32 random bytes.",
        ),
      );
    if (token !== undefined && (secretEquals(token, gw.token) || secretEquals(token, gw.password))) {
      out.push(
        finding(
          "hooks.token_reuse_gateway_token",
          "critical",
          "Webhook token equals the gateway credential",
          "hooks.token is the same as the gateway token/password: a webhook sender could drive the gateway.",
          "Give hooks their own token.",
        ),
      );
    }
    if ((h.path ?? "/hooks").replace(/\/+$/, "") === "")
      out.push(
        finding(
          "hooks.path_root",
          "critical",
          'Webhooks mounted at "/"',
          'hooks.path is "/": webhook handling shadows every gateway route.',
          'Use hooks.path "/hooks".',
        ),
      );
    if (!h.defaultSessionKey)
      out.push(
        finding(
          "hooks.default_session_key_unset",
          "warn",
          "Webhooks without a default session key",
          "hooks.defaultSessionKey is not set; each request gets a new session.",
          "Set hooks.defaultSessionKey.",
        ),
      );
    if (!h.allowedAgentIds || h.allowedAgentIds.includes("*"))
      out.push(
        finding(
          "hooks.allowed_agent_ids_unrestricted",
          sev,
          "Webhooks may target any agent",
          'hooks.allowedAgentIds is unset or contains "*".',
          "List the agent ids webhooks may use in hooks.allowedAgentIds.",
        ),
      );
    if (h.allowRequestSessionKey === true) {
      out.push(
        finding(
          "hooks.request_session_key_enabled",
          sev,
          "Webhook callers choose the session",
          "hooks.allowRequestSessionKey is true: a caller can write into any session, including the main one.",
          "Set hooks.allowRequestSessionKey: false.",
        ),
      );
      if (!h.allowedSessionKeyPrefixes?.length)
        out.push(
          finding(
            "hooks.request_session_key_prefixes_missing",
            sev,
            "Caller session keys are not fenced",
            "hooks.allowedSessionKeyPrefixes is empty.",
            'Set hooks.allowedSessionKeyPrefixes (e.g. ["hook:"]).',
          ),
        );
    }
    return out;
  },
};
