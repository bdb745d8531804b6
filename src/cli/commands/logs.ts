import type { Command } from "commander";
import { loadConfig, resolvePaths, type HoldfastConfig } from "../../config/index.js";
import { HoldfastError, errorMessage } from "../../errors/index.js";
import {
  DEFAULT_LOG_DIR,
  Redactor,
  fileSize,
  findLogFiles,
  followLog,
  formatLogLine,
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
}

/**
 * Prints the last `--limit` (default 200) lines of the gateway log (`logging.file`, else the newest
 * `/tmp/holdfast/holdfast-*.log`), formatted, or as JSON lines with `--json`; `--follow` keeps printing
 * new lines until `signal` aborts. Every line is redacted again on the way out. Works with an invalid
 * config (falls back to the default log location).
 */
export async function logsCommand(
  o: LogsFlags,
  io: CliIo,
  signal?: AbortSignal,
  env: NodeJS.ProcessEnv = process.env,
): Promise<void> {
  const limit = parsePositiveInt("--limit", o.limit ?? "200");
  let config: HoldfastConfig = {};
  let values: readonly string[] = [];
  try {
    config = (await loadConfig(resolvePaths(env).configPath, env)).config;
    values = (await resolveAll(config, { env, allowExec: false })).snapshot.values();
  } catch (err) {
    io.err(`warning: config not usable (${errorMessage(err).split("\n")[0]}); reading the default log location`);
  }
  const redactor = new Redactor({ patterns: config.logging?.redactPatterns ?? [], secrets: { values: () => values } });
  const locate = async () => findLogFiles(config.logging?.file, DEFAULT_LOG_DIR);
  const files = await locate();
  if (files.length === 0 && !o.follow)
    throw new HoldfastError(
      "HF_NOT_FOUND",
      `no gateway log at ${config.logging?.file ?? `${DEFAULT_LOG_DIR}/holdfast-*.log`}`,
    );
  const print = (line: string) => {
    const clean = redactor.redactLine(line);
    io.out(o.json ? clean : formatLogLine(clean));
  };
  const end = await fileSize(files[0]);
  for (const line of await tailAcross(files, limit, end)) print(line);
  if (o.follow && signal)
    await followLog({
      current: async () => (await locate())[0],
      startFile: files[0],
      startOffset: end,
      onLine: print,
      signal,
    });
}

/** `holdfast logs [--limit N] [--json] [--follow]`. */
export function registerLogs(program: Command, io: CliIo): void {
  program
    .command("logs")
    .description("show the gateway log (redacted)")
    .option("--limit <n>", "last N lines", "200")
    .option("--json", "raw JSON lines")
    .option("--follow", "keep printing new lines (Ctrl-C to stop)")
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
