import type { Command } from "commander";
import { getAtPath, loadConfig, parseCliValue, resolvePaths, setAtPath, updateConfigFile } from "../../config/index.js";
import { redactedConfig } from "../../secrets/index.js";
import { printJson, type CliIo } from "../io.js";

/** `holdfast config get|set|unset|validate|path`. */
export function registerConfig(program: Command, io: CliIo): void {
  const config = program.command("config").description("read and change holdfast.json");
  config
    .command("path")
    .description("print the config file path")
    .action(() => io.out(resolvePaths().configPath));
  config
    .command("validate")
    .description("check the config file; prints every problem with its key path")
    .action(async () => {
      const loaded = await loadConfig(resolvePaths().configPath);
      for (const w of loaded.warnings) io.err(`warning: ${w}`);
      io.out(loaded.exists ? `config OK: ${loaded.path}` : `no config file at ${loaded.path}; secure defaults apply`);
    });
  config
    .command("get [path]")
    .description("print a config value (secret values are redacted)")
    .option("--json", "JSON output")
    .action(async (keyPath: string | undefined, o: { json?: boolean }) => {
      const loaded = await loadConfig(resolvePaths().configPath);
      const raw = redactedConfig(loaded, (s) => s) as Record<string, unknown>;
      const value = keyPath ? getAtPath(raw, keyPath) : raw;
      if (o.json || typeof value === "object") printJson(io, value ?? null);
      else io.out(String(value));
    });
  config
    .command("set <path> <value>")
    .description("set a value (JSON5 literal or plain string); validated before it is written (atomic, mode 600)")
    .action(async (keyPath: string, value: string) => {
      const file = resolvePaths().configPath;
      await updateConfigFile(file, (raw) => setAtPath(raw, keyPath, parseCliValue(value)));
      io.out(`updated ${keyPath} in ${file}`);
    });
  config.command("unset <path>").action(async (keyPath: string) => {
    const file = resolvePaths().configPath;
    await updateConfigFile(file, (raw) => setAtPath(raw, keyPath, undefined));
    io.out(`removed ${keyPath} from ${file}`);
  });
}
