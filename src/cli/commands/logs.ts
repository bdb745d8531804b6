import type { Command } from "commander";
import { loadConfig, resolvePaths, standInEnv, type HoldfastConfig } from "../../config/index.js";
import { HoldfastError, errorMessage } from "../../errors/index.js";
import {
  Redactor,
  defaultLogDir,
  fileSize,
  findLogFiles,
  followLog,
  formatLogLine,
  instanceId,
  lineInstance,
  tailAcross,
} from "../../logging/index.js";
import { resolveAll } from "../../secrets/index.js";
import type { CliIo } from "../io.js";
import { parsePositiveInt } from "../parse.js";

/** `holdfast logs` flags. */
export interface LogsFlags {
  readonly limit?: string;
  readonly json?: boolean;
  readonly follow?: boolean;
  /** Lines of every gateway writing to the file, not only this state dir's. */
  readonly allInstances?: boolean;
}

/**
 * Prints the last `--limit` (default 200) lines of this gateway's log (`logging.file`, else the newest
 * `<stateDir>/logs/holdfast-*.log`), formatted with the writing process's pid, or as JSON lines with
 * `--json`; `--follow` keeps printing new lines until `signal` aborts (or stdout closes). Lines another
 * gateway wrote into a shared `logging.file` (another `instance`) are left out unless
 * `--all-instances`. Every line is redacted again on the way out. Works with an invalid config (falls
 * back to the default log location).
 */
export async function logsCommand(
  o: LogsFlags,
  io: CliIo,
  signal?: AbortSignal,
  env: NodeJS.ProcessEnv = process.env,
): Promise<void> {
  const limit = parsePositiveInt("--limit", o.limit ?? "200");
  const paths = resolvePaths(env);
  let config: HoldfastConfig = {};
  let values: readonly string[] = [];
  try {
    config = (await loadConfig(paths.configPath, standInEnv(env))).config;
    values = (await resolveAll(config, { env, allowExec: false })).snapshot.values();
  } catch (err) {
    io.err(`warning: config not usable (${errorMessage(err).split("\n")[0]}); reading the default log location`);
  }
  const redactor = new Redactor({ patterns: config.logging?.redactPatterns ?? [], secrets: { values: () => values } });
  const logDir = defaultLogDir(paths.stateDir);
  const locate = async () => findLogFiles(config.logging?.file, logDir);
  const files = await locate();
  if (files.length === 0 && !o.follow)
    throw new HoldfastError("HF_NOT_FOUND", `no gateway log at ${config.logging?.file ?? `${logDir}/holdfast-*.log`}`);
  const mine = instanceId(paths.stateDir);
  const ours = (line: string) => o.allInstances === true || (lineInstance(line) ?? mine) === mine;
  const print = (line: string) => {
    if (!ours(line)) return;
    const clean = redactor.redactLine(line);
    io.out(o.json ? clean : formatLogLine(clean, { instance: o.allInstances === true }));
  };
  const end = await fileSize(files[0]);
  const tail = await tailAcross(files, o.allInstances ? limit : limit * 4, end);
  for (const line of tail.filter(ours).slice(-limit)) print(line);
  const stop = anySignal(signal, io.closed);
  if (o.follow && stop)
    await followLog({
      current: async () => (await locate())[0],
      startFile: files[0],
      startOffset: end,
      onLine: print,
      signal: stop,
    });
}

function anySignal(...signals: (AbortSignal | undefined)[]): AbortSignal | undefined {
  const present = signals.filter((s): s is AbortSignal => s !== undefined);
  return present.length ? AbortSignal.any(present) : undefined;
}

/** `holdfast logs [--limit N] [--json] [--follow] [--all-instances]`. */
export function registerLogs(program: Command, io: CliIo): void {
  program
    .command("logs")
    .description("show this gateway's log (redacted; each line with the pid that wrote it)")
    .option("--limit <n>", "last N lines", "200")
    .option("--json", "raw JSON lines")
    .option("--follow", "keep printing new lines (Ctrl-C to stop)")
    .option("--all-instances", "also lines other gateways wrote to a shared logging.file")
    .action(async (o: LogsFlags) => {
      const controller = new AbortController();
      const stop = () => controller.abort();
      process.once("SIGINT", stop);
      process.once("SIGTERM", stop);
      try {
        await logsCommand(o, io, controller.signal);
      } finally {
        process.off("SIGINT", stop);
        process.off("SIGTERM", stop);
      }
    });
}
