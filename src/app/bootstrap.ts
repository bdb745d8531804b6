import { KEY_CONFIG_PATH, openEncryption, readMeta } from "../crypt/index.js";
import { loadConfig, resolvePaths, withEnvAliases, type HoldfastConfig } from "../config/index.js";
import { HoldfastError } from "../errors/index.js";
import { assertOwnDir, ensurePrivateDir, systemClock, type Clock } from "../infra/index.js";
import {
  createLogger,
  defaultConsoleStyle,
  defaultLogDir,
  instanceId,
  Redactor,
  silentLogger,
  type Logger,
} from "../logging/index.js";
import {
  CREDENTIAL_ENV_VARS,
  resolveAll,
  type SecretsSnapshot,
  SecretsRuntime,
  type SecretFailure,
} from "../secrets/index.js";
import { FileSecurityTrail, trailPaths } from "../trail/index.js";
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
  /**
   * Encryption at rest, when the state dir has it on: `required` (the gateway) throws when the key is
   * missing or wrong and may ask for the passphrase on a terminal; otherwise state files stay locked
   * (every sealed read and every write a store would seal fails with the reason).
   */
  readonly encryptionKey?: "required" | "optional";
}

/**
 * Applies the reference's environment aliases (`OPENCLAW_GATEWAY_TOKEN`, ...), loads config, creates the redacting logger, then resolves secrets (env/file/exec refs) into the
 * live snapshot that the redactor reads: the first step of the gateway and of CLI commands. The
 * state dir is created 700 (one that belongs to another user is refused). Credentials read from the
 * environment join the live secrets.
 * @throws HoldfastError HF_STATE_DIR_INSECURE, HF_CONFIG_* (invalid config), HF_LOG_FILE_INSECURE,
 *   HF_SECRET_UNRESOLVED, HF_SECRET_INSECURE_FILE; HF_ENCRYPTION_KEY_MISSING / HF_ENCRYPTION_KEY_WRONG with
 *   `encryptionKey: "required"`.
 */
export async function bootstrap(opts: BootstrapOptions = {}): Promise<AppContext> {
  const env = withEnvAliases(opts.env ?? process.env);
  const clock = opts.clock ?? systemClock;
  const paths = resolvePaths(env);
  await assertOwnDir(paths.stateDir);
  await ensurePrivateDir(paths.stateDir);
  const loaded = await loadConfig(paths.configPath, env);
  const secrets = new SecretsRuntime();
  const redactor = new Redactor({ patterns: loaded.config.logging?.redactPatterns ?? [], secrets });
  const log = makeLogger(loaded.config, { ...opts, stateDir: paths.stateDir }, redactor);
  for (const w of loaded.warnings) log.warn({ configPath: loaded.path }, `config: ${w}`);
  const resolved = await resolveStartSecrets(loaded.config, env, paths.stateDir);
  secrets.swap(resolved.snapshot);
  secrets.pin(...CREDENTIAL_ENV_VARS.map((name) => env[name]));
  const required = opts.encryptionKey === "required";
  await openEncryption(paths.stateDir, {
    configured: secrets.get(KEY_CONFIG_PATH),
    ...(resolved.keyUnresolved ? { unresolved: resolved.keyUnresolved } : {}),
    prompt: required,
    strict: required,
  });
  const say = opts.say ?? terminalLines(loaded.config, log);
  const trail = new FileSecurityTrail(trailPaths(paths.stateDir), { clock, log: log.child({ stage: "trail" }) });
  return { paths, loaded, config: loaded.config, env, log, clock, secrets, redactor, say, trail };
}

/**
 * The config's secrets, as `resolveSecrets` gives them; except that when the state dir is encrypted at rest
 * an unresolved `storage.encryption.key` is not thrown here: the key is then looked for in the OS
 * keyring and a passphrase, and without one the start fails with HF_ENCRYPTION_KEY_MISSING naming
 * why the SecretRef gave nothing.
 * @throws HoldfastError HF_SECRET_UNRESOLVED, HF_SECRET_INSECURE_FILE for the first other failure
 */
async function resolveStartSecrets(
  config: HoldfastConfig,
  env: NodeJS.ProcessEnv,
  stateDir: string,
): Promise<{ snapshot: SecretsSnapshot; keyUnresolved?: string }> {
  const res = await resolveAll(config, { env });
  const keyFailure = res.failures.find((f) => f.path === KEY_CONFIG_PATH);
  const encrypted = keyFailure !== undefined && (await readMeta(stateDir)) !== undefined;
  const failures = encrypted ? res.failures.filter((f) => f !== keyFailure) : res.failures;
  const first = failures[0];
  if (first) throw new HoldfastError(first.code, first.message, { path: first.path, more: failures.length - 1 });
  return { snapshot: res.snapshot, ...(encrypted ? { keyUnresolved: keyFailure.message } : {}) };
}

/**
 * Like {@link bootstrap} for diagnostic commands (`secrets reload`, `doctor`): no log file, a silent
 * logger, and secrets that do not resolve are returned in `failures` instead of thrown (exec refs are
 * run only when `allowExec`).
 * @throws HoldfastError HF_CONFIG_* when the config itself is invalid.
 */
export async function bootstrapLenient(
  opts: BootstrapOptions & { readonly allowExec?: boolean } = {},
): Promise<AppContext & { readonly failures: readonly SecretFailure[] }> {
  const env = withEnvAliases(opts.env ?? process.env);
  const paths = resolvePaths(env);
  const loaded = await loadConfig(paths.configPath, env);
  const resolved = await resolveAll(loaded.config, { env, allowExec: opts.allowExec === true });
  const secrets = new SecretsRuntime(resolved.snapshot);
  secrets.pin(...CREDENTIAL_ENV_VARS.map((name) => env[name]));
  const keyFailure = resolved.failures.find((f) => f.path === KEY_CONFIG_PATH);
  await openEncryption(paths.stateDir, {
    configured: secrets.get(KEY_CONFIG_PATH),
    ...(keyFailure ? { unresolved: keyFailure.message } : {}),
  });
  const redactor = new Redactor({ patterns: loaded.config.logging?.redactPatterns ?? [], secrets });
  const say = opts.say ?? ((line: string) => process.stderr.write(`${line}\n`));
  const clock = opts.clock ?? systemClock;
  return {
    paths,
    loaded,
    config: loaded.config,
    env,
    log: silentLogger(),
    clock,
    secrets,
    redactor,
    say,
    trail: new FileSecurityTrail(trailPaths(paths.stateDir), { clock, log: silentLogger() }),
    failures: resolved.failures,
  };
}

/**
 * Where the operator's terminal lines (`say`) go: stdout as plain lines, except with
 * `logging.consoleStyle: "json"`, where they become log records, so a console that is not a terminal
 * gets JSON lines only and never human lines mixed in.
 */
function terminalLines(config: HoldfastConfig, log: Logger): (line: string) => void {
  if ((config.logging?.consoleStyle ?? defaultConsoleStyle()) === "json") return (line) => log.info(line);
  return (line) => {
    if (process.stdout.writable) process.stdout.write(`${line}\n`);
  };
}

function makeLogger(
  config: HoldfastConfig,
  opts: BootstrapOptions & { readonly stateDir: string },
  redactor: Redactor,
): Logger {
  const logging = config.logging ?? {};
  const level = logging.level ?? "info";
  const consoleLevel = opts.verbose ? "debug" : (logging.consoleLevel ?? level);
  const common = {
    redactor,
    redactSensitive: logging.redactSensitive ?? "tools",
    ...(logging.consoleStyle ? { consoleStyle: logging.consoleStyle } : {}),
  } as const;
  if (opts.consoleOnly) return createLogger({ ...common, level: consoleLevel, consoleLevel });
  return createLogger({
    ...common,
    level,
    consoleLevel,
    base: { instance: instanceId(opts.stateDir) },
    ...(logging.file ? { file: logging.file } : { dir: defaultLogDir(opts.stateDir) }),
    ...(logging.maxFiles ? { maxFiles: logging.maxFiles } : {}),
    ...(logging.maxFileBytes ? { maxFileBytes: logging.maxFileBytes } : {}),
  });
}
