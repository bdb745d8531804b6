import { loadConfig, resolvePaths, type HoldfastPaths, type LoadedConfig } from "../config/index.js";
import { defaultLogDir, findLogFiles } from "../logging/index.js";
import { resolveAll, type SecretResolution } from "../secrets/index.js";
import type { AuditContext, MachineFacts } from "./types.js";

/** Inputs of {@link loadAuditContext}. */
export interface AuditContextOptions {
  readonly env?: NodeJS.ProcessEnv;
  readonly paths?: HoldfastPaths;
  /** Directory of the dated default log files. Default `<stateDir>/logs`. */
  readonly logDir?: string;
  /** The config and its resolved secrets, when the caller has loaded them already (`doctor`). */
  readonly loaded?: { readonly config: LoadedConfig; readonly secrets: SecretResolution };
  /** What this machine offers the jails (probed by the caller). */
  readonly machine?: MachineFacts;
}

/**
 * Loads what the audit reads: the config (validated; invalid config throws HF_CONFIG_*), its secrets
 * resolved without running exec providers, and the gateway log files on disk.
 */
export async function loadAuditContext(opts: AuditContextOptions = {}): Promise<AuditContext> {
  const env = opts.env ?? process.env;
  const paths = opts.paths ?? resolvePaths(env);
  const loaded = opts.loaded?.config ?? (await loadConfig(paths.configPath, env));
  const secrets = opts.loaded?.secrets ?? (await resolveAll(loaded.config, { env, allowExec: false }));
  const logFiles = await findLogFiles(loaded.config.logging?.file, opts.logDir ?? defaultLogDir(paths.stateDir));
  return {
    config: loaded.config,
    raw: loaded.raw,
    configExists: loaded.exists,
    paths,
    env,
    secrets,
    logFiles,
    ...(opts.machine ? { machine: opts.machine } : {}),
  };
}
