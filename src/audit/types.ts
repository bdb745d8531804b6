import type { HoldfastConfig, HoldfastPaths } from "../config/index.js";
import type { SecretResolution } from "../secrets/index.js";
import type { Check } from "./check.js";

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

/** A check of the holdfast audit: reads an {@link AuditContext}. */
export type AuditCheck = Check<AuditContext>;
