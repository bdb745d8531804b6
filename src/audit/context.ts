import { promises as fsp } from "node:fs";
import path from "node:path";
import { loadConfig, resolvePaths, type HoldfastPaths } from "../config/index.js";
import { DEFAULT_LOG_DIR } from "../logging/index.js";
import { resolveAll } from "../secrets/index.js";
import type { AuditContext } from "./types.js";

/** Inputs of {@link loadAuditContext}. */
export interface AuditContextOptions {
  readonly env?: NodeJS.ProcessEnv;
  readonly paths?: HoldfastPaths;
  /** Directory of the dated default log files. Default `/tmp/holdfast`. */
  readonly logDir?: string;
}

/**
 * Loads what the audit reads: the config (validated; invalid config throws HF_CONFIG_*), its secrets
 * resolved without running exec providers, and the gateway log files on disk.
 */
export async function loadAuditContext(opts: AuditContextOptions = {}): Promise<AuditContext> {
  const env = opts.env ?? process.env;
  const paths = opts.paths ?? resolvePaths(env);
  const loaded = await loadConfig(paths.configPath, env);
  const secrets = await resolveAll(loaded.config, { env, allowExec: false });
  const logFiles = await findLogFiles(loaded.config.logging?.file, opts.logDir ?? DEFAULT_LOG_DIR);
  return { config: loaded.config, raw: loaded.raw, configExists: loaded.exists, paths, env, secrets, logFiles };
}

/**
 * The gateway log files that exist, newest first: `logging.file` (and its rotations) when set, else
 * `<logDir>/holdfast-*.log*`.
 */
export async function findLogFiles(configured: string | undefined, logDir: string): Promise<string[]> {
  const dir = configured ? path.dirname(path.resolve(configured)) : logDir;
  const base = configured ? path.basename(configured) : undefined;
  const names = await fsp.readdir(dir).catch(() => [] as string[]);
  const picked = names.filter((n) => (base ? n === base || n.startsWith(`${base}.`) : /^holdfast-.*\.log(\.\d+)?$/.test(n)));
  const withTimes = await Promise.all(picked.map(async (n) => ({ file: path.join(dir, n), mtime: (await fsp.lstat(path.join(dir, n)).catch(() => undefined))?.mtimeMs ?? 0 })));
  return withTimes.sort((a, b) => b.mtime - a.mtime || b.file.localeCompare(a.file)).map((w) => w.file);
}
