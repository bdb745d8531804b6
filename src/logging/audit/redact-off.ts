import { finding, type AuditCheck } from "../../audit/index.js";
import { cliHint } from "../../infra/index.js";

/**
 * `logging.redactSensitive: "off"` lets tool arguments, outputs and URLs into the logs:
 * `logging.redact_off` (warn, reference §9.4a). `security audit --fix` sets "tools".
 */
export const redactOffCheck: AuditCheck = {
  id: "logging.redact_off",
  area: "config",
  run(ctx) {
    if (ctx.config.logging?.redactSensitive !== "off") return [];
    return [
      finding({
        checkId: "logging.redact_off",
        severity: "warn",
        title: "Tool arguments and outputs are logged",
        detail:
          'logging.redactSensitive is "off": tool arguments, outputs and URLs reach the log (configured secrets stay masked).',
        remediation: `Set logging.redactSensitive to "tools" (${cliHint("security audit --fix")} does this).`,
      }),
    ];
  },
};
