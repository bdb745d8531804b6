import { errorMessage } from "../errors/index.js";
import { finding, SEVERITIES, type Finding, type Severity } from "./check.js";
import type { AuditCheck, AuditContext } from "./types.js";

/** A finding moved aside by `security.audit.suppressions`. */
export interface SuppressedFinding extends Finding {
  readonly suppression: { readonly reason?: string };
}

/** The audit result. JSON shape: reference §9.1 (`{ts, summary, findings}`). */
export interface AuditReport {
  /** ms since the epoch. */
  readonly ts: number;
  readonly summary: Readonly<Record<Severity, number>>;
  readonly findings: readonly Finding[];
  readonly suppressedFindings?: readonly SuppressedFinding[];
}

/**
 * Runs every check, applies `security.audit.suppressions` and orders findings worst first (then by
 * checkId). A check that throws becomes an `audit.check_failed` warn finding instead of ending the audit.
 */
export async function runAudit(
  ctx: AuditContext,
  checks: readonly AuditCheck[],
  now: () => number = Date.now,
): Promise<AuditReport> {
  const results = await Promise.all(
    checks.map(async (c) => {
      try {
        return await c.run(ctx);
      } catch (err) {
        return [
          finding({
            checkId: "audit.check_failed",
            severity: "warn",
            title: `Check ${c.id} could not run`,
            detail: errorMessage(err),
            remediation: "Report this; the rest of the audit is complete.",
          }),
        ];
      }
    }),
  );
  const { kept, suppressed } = applySuppressions(results.flat(), ctx);
  const findings = sortFindings(kept);
  const summary = { critical: 0, warn: 0, info: 0 };
  for (const f of findings) summary[f.severity] += 1;
  return { ts: now(), summary, findings, ...(suppressed.length ? { suppressedFindings: suppressed } : {}) };
}

/** Worst first, then by checkId. */
export function sortFindings(list: readonly Finding[]): Finding[] {
  return [...list].sort(
    (a, b) => SEVERITIES.indexOf(a.severity) - SEVERITIES.indexOf(b.severity) || a.checkId.localeCompare(b.checkId),
  );
}

function applySuppressions(all: Finding[], ctx: AuditContext): { kept: Finding[]; suppressed: SuppressedFinding[] } {
  const rules = ctx.config.security?.audit?.suppressions ?? [];
  if (rules.length === 0) return { kept: all, suppressed: [] };
  const kept: Finding[] = [];
  const suppressed: SuppressedFinding[] = [];
  const has = (text: string, part?: string) => part === undefined || text.toLowerCase().includes(part.toLowerCase());
  for (const f of all) {
    const rule = rules.find(
      (r) => r.checkId === f.checkId && has(f.title, r.titleIncludes) && has(f.detail, r.detailIncludes),
    );
    if (rule) suppressed.push({ ...f, suppression: rule.reason ? { reason: rule.reason } : {} });
    else kept.push(f);
  }
  kept.push(
    finding({
      checkId: "security.audit.suppressions.active",
      severity: "info",
      title: "Audit suppressions are configured",
      detail: `${rules.length} suppression rule(s) in security.audit.suppressions; ${suppressed.length} finding(s) suppressed.`,
      remediation: "Review the suppressions from time to time; remove the ones no longer needed.",
    }),
  );
  return { kept, suppressed };
}

/** True when the report has a finding at `severity` or worse (for `--fail-on`). */
export function failsAt(report: AuditReport, severity: Severity): boolean {
  const worst = SEVERITIES.indexOf(severity);
  return report.findings.some((f) => SEVERITIES.indexOf(f.severity) <= worst);
}

/** The report with `extra` findings added (deep probe results), re-sorted and re-counted. */
export function withFindings(report: AuditReport, extra: readonly Finding[]): AuditReport {
  const findings = sortFindings([...report.findings, ...extra]);
  const summary = { critical: 0, warn: 0, info: 0 };
  for (const f of findings) summary[f.severity] += 1;
  return { ...report, findings, summary };
}
