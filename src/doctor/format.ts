import type { DoctorReport } from "./doctor.js";
import { cliHint } from "../infra/index.js";

/** The human form of a doctor report, section by section. */
export function formatDoctor(r: DoctorReport): string[] {
  const lines = ["holdfast doctor", "", `Config: ${r.configPath}`];
  if (!r.config.ok) lines.push("  INVALID:", ...r.config.errors.map((e) => `    - ${e}`));
  else
    lines.push(
      r.config.exists ? "  valid" : "  no config file: secure defaults apply",
      ...r.config.warnings.map((w) => `  warning: ${w}`),
    );
  if (r.migrations.applied.length)
    lines.push("", "Legacy keys rewritten:", ...r.migrations.applied.map((c) => `  - ${c}`));
  if (r.migrations.pending.length)
    lines.push(
      "",
      `Legacy keys (${cliHint("doctor --fix")} rewrites them):`,
      ...r.migrations.pending.map((c) => `  - ${c}`),
    );
  if (r.config.ok) {
    lines.push(
      "",
      "Secrets:",
      ...(r.secrets.unresolved.length
        ? r.secrets.unresolved.map((m) => `  UNRESOLVED ${m}`)
        : ["  every SecretRef resolves"]),
    );
    if (r.secrets.skippedExecRefs)
      lines.push(
        `  (${r.secrets.skippedExecRefs} exec ref(s) not run; check them with ${cliHint("secrets audit --allow-exec")})`,
      );
    lines.push("", `Gateway credential: ${r.gatewayCredential}`);
    lines.push(
      "",
      "Channels:",
      ...(r.channels.length
        ? r.channels.map((c) => `  ${c.present ? "ok     " : "MISSING"} ${c.path}: ${c.note}`)
        : ["  none configured (WebChat only)"]),
    );
  }
  if (r.audit) {
    lines.push(
      "",
      `Security audit: ${r.audit.summary.critical ?? 0} critical · ${r.audit.summary.warn ?? 0} warn · ${r.audit.summary.info ?? 0} info`,
    );
    for (const f of r.audit.findings) lines.push(`  ${f.severity.toUpperCase().padEnd(8)} ${f.checkId}  ${f.title}`);
  }
  lines.push("", "Next steps:", ...r.nextSteps.map((s, i) => `  ${i + 1}. ${s}`));
  return lines;
}
