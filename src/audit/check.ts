/**
 * The shape of an audit check and of its findings. A leaf module: it imports nothing, so every stage can
 * define checks about its own subject (`src/<stage>/audit/index.ts`) without depending on the audit
 * runner, and the runner never depends on the checks (the list is assembled in `src/app/audit-checks/index.ts`).
 */

/** How bad a finding is. Source: reference §9.1. */
export type Severity = "critical" | "warn" | "info";

/** Severities from worst to mildest. */
export const SEVERITIES: readonly Severity[] = ["critical", "warn", "info"];

/** One audit result. Shape and check ids follow reference §9.1/§9.4 where the condition is the same. */
export interface Finding {
  readonly checkId: string;
  readonly severity: Severity;
  readonly title: string;
  readonly detail: string;
  readonly remediation: string;
}

/** Where a check belongs (seeds security-architecture.md "Checks performed"). */
export type AuditArea =
  "summary" | "access" | "tools" | "network" | "browser" | "disk" | "secrets" | "hooks" | "models" | "config";

/**
 * A check over a context of type `Ctx`: small, one concern, reads the context, returns findings (never
 * throws on purpose; a check that throws becomes an `audit.check_failed` finding).
 */
export interface Check<Ctx> {
  /** Stable name of the check (its main checkId or a family prefix). */
  readonly id: string;
  readonly area: AuditArea;
  run(ctx: Ctx): readonly Finding[] | Promise<readonly Finding[]>;
}

/**
 * Builds a finding: `finding({ checkId, severity, title, detail, remediation })`. Keys come out in that
 * order (the `--json` report shape), and nothing else is carried over.
 */
export function finding({ checkId, severity, title, detail, remediation }: Finding): Finding {
  return { checkId, severity, title, detail, remediation };
}
