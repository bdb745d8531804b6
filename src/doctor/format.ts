import type { DoctorReport } from "./doctor.js";

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
      "Legacy keys (holdfast doctor --fix rewrites them):",
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
        `  (${r.secrets.skippedExecRefs} exec ref(s) not run; check them with holdfast secrets audit --allow-exec)`,
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
  lines.push("", "Storage:");
  for (const f of r.storage.fixed) lines.push(`  fixed: ${f}`);
  if (r.storage.findings.length === 0) lines.push("  every store opens; no corrupt or orphaned files");
  for (const f of r.storage.findings)
    lines.push(
      `  ${f.severity.toUpperCase().padEnd(8)} ${f.file}`,
      `           ${f.problem}`,
      `           fix: ${f.fix}`,
    );
  if (r.jails)
    lines.push("", "Jails:", `  host jail: ${r.jails.hostJail}`, `  session limits: ${r.jails.sessionLimits}`);
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
