import { finding, type AuditCheck, type Finding } from "../../audit/index.js";
import { gmailSettings } from "../gmail.js";

/**
 * Gmail Pub/Sub push settings (docs/hooks.md "Gmail Pub/Sub push"), only when `hooks.enabled` and
 * `hooks.gmail.enabled`: settings the gateway refuses to start with (critical: no audience or service
 * account, not exactly one credential, a plain-http URL to a host that is not loopback); no
 * `subscription` (warn: a push of any subscription whose token Google signs for the service account
 * is taken); a fixed `accessToken` (info: it expires within an hour, then mail is not fetched until
 * it is replaced). Plaintext Gmail secrets are reported by `secrets.plaintext_in_config`.
 */
export const gmailCheck: AuditCheck = {
  id: "hooks.gmail",
  area: "hooks",
  run(ctx) {
    const h = ctx.config.hooks;
    if (h?.enabled !== true || h.gmail?.enabled !== true) return [];
    const settings = gmailSettings(h.gmail);
    if (typeof settings === "string")
      return [
        finding({
          checkId: "hooks.gmail.config_invalid",
          severity: "critical",
          title: "Gmail push settings the gateway refuses",
          detail: `${settings}; the gateway does not start until it is fixed.`,
          remediation: "Fix hooks.gmail as docs/hooks.md describes, or set hooks.gmail.enabled: false.",
        }),
      ];
    const out: Finding[] = [];
    if (!h.gmail.subscription)
      out.push(
        finding({
          checkId: "hooks.gmail.subscription_unset",
          severity: "warn",
          title: "Gmail pushes of any subscription are taken",
          detail:
            "hooks.gmail.subscription is not set: a push from any Pub/Sub subscription that sends the service account's token to this audience starts a mail fetch.",
          remediation: 'Set hooks.gmail.subscription to "projects/<project>/subscriptions/<name>".',
        }),
      );
    if (h.gmail.accessToken !== undefined)
      out.push(
        finding({
          checkId: "hooks.gmail.access_token_static",
          severity: "info",
          title: "Gmail is read with a fixed access token",
          detail: "hooks.gmail.accessToken expires within an hour; after that no mail is fetched until it is replaced.",
          remediation: "Use hooks.gmail.oauth (clientId, clientSecret, refreshToken as SecretRefs).",
        }),
      );
    return out;
  },
};
