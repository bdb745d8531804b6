import type { AuditReport } from "./runner.js";
import { SEVERITIES } from "./check.js";

/**
 * The human form of a report: title, summary line, then CRITICAL / WARN / INFO sections with each
 * finding's checkId, title, detail and `Fix:` remediation (reference §9.1).
 */
export function formatReport(report: AuditReport, title = "holdfast security audit"): string[] {
  const lines = [
    title,
    `Summary: ${report.summary.critical} critical · ${report.summary.warn} warn · ${report.summary.info} info`,
  ];
  for (const sev of SEVERITIES) {
    const list = report.findings.filter((f) => f.severity === sev);
    if (list.length === 0) continue;
    lines.push("", sev.toUpperCase());
    for (const f of list) {
      lines.push(`  ${f.checkId}  ${f.title}`);
      if (f.detail) lines.push(`    ${f.detail}`);
      if (f.remediation) lines.push(`    Fix: ${f.remediation}`);
    }
  }
  if (report.suppressedFindings?.length)
    lines.push("", `(${report.suppressedFindings.length} finding(s) suppressed by security.audit.suppressions)`);
  return lines;
}

/** The JSON form: `{ts, summary:{critical,warn,info}, findings:[…]}` plus optional extras. */
export function reportJson(report: AuditReport, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    ts: report.ts,
    summary: report.summary,
    findings: report.findings,
    ...(report.suppressedFindings ? { suppressedFindings: report.suppressedFindings } : {}),
    ...extra,
  };
}
