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
  /** What this machine offers the jails (probed by the commands that run the audit; absent in config-only runs). */
  readonly machine?: MachineFacts;
}

/** A probe's outcome: fine, or why not (with what to do about it). */
export type ProbeOutcome = { readonly ok: true } | { readonly ok: false; readonly reason: string };

/** What the machine the gateway runs on offers its jails. */
export interface MachineFacts {
  /** Whether the host jail (bubblewrap) can run here; the reason names what to install. */
  readonly hostJail: ProbeOutcome;
  /** The backend sandboxes use when none is configured. */
  readonly defaultBackend: "bubblewrap" | "docker";
  /** Per-session cgroups: the limit controllers available (memory, pids, cpu), or why there are none. */
  readonly sessionCgroups:
    | { readonly ok: true; readonly controllers: readonly ("memory" | "pids" | "cpu")[] }
    | { readonly ok: false; readonly reason: string };
}

/** A check of the holdfast audit: reads an {@link AuditContext}. */
export type AuditCheck = Check<AuditContext>;
