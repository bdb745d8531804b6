import { finding, type AuditCheck, type Finding } from "../../audit/index.js";
import { cliHint } from "../../infra/index.js";
import { plaintextSecretPaths } from "../plaintext.js";

/**
 * Secrets written in the config file (seeds security-reference.md "Avoid plaintext secrets in config"):
 * `config.secrets.gateway_password_in_config` (warn), `config.secrets.hooks_token_in_config` (info),
 * `secrets.plaintext_in_config` (warn) for every other secret field. `holdfast secrets apply` moves
 * them into SecretRefs.
 */
export const plaintextCheck: AuditCheck = {
  id: "secrets.plaintext_in_config",
  area: "secrets",
  run(ctx) {
    const out: Finding[] = [];
    const fix =
      'Move it into a SecretRef ({source:"env"|"file"|"exec", provider, id}) or ${ENV}: see ' +
      `${cliHint("secrets apply")}.`;
    for (const p of plaintextSecretPaths(ctx.config, ctx.raw)) {
      if (p === "gateway.auth.password")
        out.push(
          finding({
            checkId: "config.secrets.gateway_password_in_config",
            severity: "warn",
            title: "Gateway password is stored in the config file",
            detail: "gateway.auth.password is written in plain text in the config.",
            remediation: fix,
          }),
        );
      else if (p === "hooks.token") {
        if (ctx.config.hooks?.enabled === true)
          out.push(
            finding({
              checkId: "config.secrets.hooks_token_in_config",
              severity: "info",
              title: "Webhook token is stored in the config file",
              detail: "hooks.token is written in plain text in the config.",
              remediation: fix,
            }),
          );
      } else
        out.push(
          finding({
            checkId: "secrets.plaintext_in_config",
            severity: "warn",
            title: `Secret stored in the config file: ${p}`,
            detail: `${p} is written in plain text in ${ctx.paths.configPath}.`,
            remediation: fix,
          }),
        );
    }
    return out;
  },
};
