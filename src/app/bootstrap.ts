import path from "node:path";
import { loadConfig, resolvePaths, type HoldfastConfig } from "../config/index.js";
import { ensurePrivateDir, systemClock, type Clock } from "../infra/index.js";
import { createLogger, type Logger } from "../logging/index.js";
import { envRefResolver, resolveSecrets } from "../secrets/index.js";
import type { AppContext } from "./context.js";

/** Options shared by every command that builds an {@link AppContext}. */
export interface BootstrapOptions {
  readonly env?: NodeJS.ProcessEnv;
  readonly clock?: Clock;
  /** `--verbose`: debug level on the console. */
  readonly verbose?: boolean;
  /** Log to console only, no file (one-shot CLI commands). */
  readonly consoleOnly?: boolean;
  readonly say?: (line: string) => void;
}

/** Default gateway log file: `/tmp/holdfast/holdfast-YYYY-MM-DD.log` (seeds "Log Locations"). */
export function defaultLogFile(now: Date): string {
  return path.join("/tmp/holdfast", `holdfast-${now.toISOString().slice(0, 10)}.log`);
}

/**
 * Loads config and secrets and creates the logger: the first step of the gateway and of CLI commands.
 * The state dir is created 700.
 * @throws HoldfastError HF_CONFIG_* (invalid config), HF_SECRET_UNRESOLVED.
 */
export async function bootstrap(opts: BootstrapOptions = {}): Promise<AppContext> {
  const env = opts.env ?? process.env;
  const clock = opts.clock ?? systemClock;
  const paths = resolvePaths(env);
  await ensurePrivateDir(paths.stateDir);
  const loaded = await loadConfig(paths.configPath, env);
  const log = makeLogger(loaded.config, opts, clock);
  for (const w of loaded.warnings) log.warn({ configPath: loaded.path }, `config: ${w}`);
  const secrets = await resolveSecrets(loaded.config, { env: envRefResolver(env) });
  const say = opts.say ?? ((line: string) => process.stdout.write(`${line}\n`));
  return { paths, loaded, config: loaded.config, env, log, clock, secrets, say };
}

function makeLogger(config: HoldfastConfig, opts: BootstrapOptions, clock: Clock): Logger {
  const level = config.logging?.level ?? "info";
  const consoleLevel = opts.verbose ? "debug" : (config.logging?.consoleLevel ?? level);
  if (opts.consoleOnly) return createLogger({ level: consoleLevel, consoleLevel });
  return createLogger({ level, consoleLevel, file: config.logging?.file ?? defaultLogFile(new Date(clock.now())) });
}
