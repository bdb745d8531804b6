import type { HoldfastConfig, HoldfastPaths } from "../config/index.js";
import type { SecretResolution } from "../secrets/index.js";

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

/** What checks read: the config (as validated and as written) and the state on disk. */
export interface AuditContext {
  /** Validated, normalized config. */
  readonly config: HoldfastConfig;
  /** The config file as written (before `${VAR}` substitution). */
  readonly raw: Record<string, unknown>;
  readonly configExists: boolean;
  readonly paths: HoldfastPaths;
  readonly env: NodeJS.ProcessEnv;
  /** Secrets resolved without running exec providers. */
  readonly secrets: SecretResolution;
  /** Gateway log files that exist (newest first). */
  readonly logFiles: readonly string[];
}

/** A check: small, one concern, reads the context, returns findings (never throws on purpose). */
export interface AuditCheck {
  /** Stable name of the check (its main checkId or a family prefix). */
  readonly id: string;
  readonly area: AuditArea;
  run(ctx: AuditContext): readonly Finding[] | Promise<readonly Finding[]>;
}

/** Builds a finding. */
export function finding(
  checkId: string,
  severity: Severity,
  title: string,
  detail: string,
  remediation: string,
): Finding {
  return { checkId, severity, title, detail, remediation };
}
