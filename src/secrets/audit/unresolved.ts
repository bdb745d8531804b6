import { finding, type AuditCheck } from "../../audit/index.js";
import { cliHint } from "../../infra/index.js";

/**
 * SecretRefs that do not resolve (the gateway refuses to start): `secrets.ref_unresolved`, or
 * `secrets.file_insecure` when a secret file is readable by others, a symlink or not owned by you.
 * Both critical. Exec refs are not run by the audit (see `holdfast secrets audit --allow-exec`).
 */
export const unresolvedCheck: AuditCheck = {
  id: "secrets.ref_unresolved",
  area: "secrets",
  run(ctx) {
    return ctx.secrets.failures.map((f) =>
      f.code === "HF_SECRET_INSECURE_FILE"
        ? finding({
            checkId: "secrets.file_insecure",
            severity: "critical",
            title: `Secret file for ${f.path} is not private`,
            detail: f.message,
            remediation: `chmod 600 the file (owner only, no symlink), then ${cliHint("secrets reload")}.`,
          })
        : finding({
            checkId: "secrets.ref_unresolved",
            severity: "critical",
            title: `SecretRef at ${f.path} does not resolve`,
            detail: f.message,
            remediation: `Fix the provider or the id (${cliHint("secrets audit")} shows every ref); the gateway will not start until it resolves.`,
          }),
    );
  },
};
