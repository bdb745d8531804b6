import type { Command } from "commander";
import {
  ConfigSchema,
  getAtPath,
  loadConfig,
  parseCliValue,
  resolvePaths,
  setAtPath,
  unknownSegment,
} from "../../config/index.js";
import { HoldfastError, isHoldfastError } from "../../errors/index.js";
import { redactedConfig } from "../../secrets/index.js";
import { printJson, type CliIo } from "../io.js";
import { auditedConfigUpdate } from "../trail.js";

/**
 * `config get <path>` of a key that is not in the file: unknown keys are named with the nearest valid
 * key; a valid key that is unset says so. Both exit 1 (HF_NOT_FOUND).
 */
function missingKey(keyPath: string): HoldfastError {
  const unknown = unknownSegment(ConfigSchema, keyPath.split("."));
  return new HoldfastError(
    "HF_NOT_FOUND",
    unknown ?? `${keyPath} is not set in the config file (the built-in default applies)`,
    { path: keyPath },
  );
}

/** `holdfast config validate [--json]`: exit 0 when valid, 78 when not. */
async function validate(io: CliIo, json: boolean, setExit: (code: number) => void): Promise<void> {
  const file = resolvePaths().configPath;
  try {
    const loaded = await loadConfig(file);
    if (json)
      return printJson(io, { ok: true, path: file, exists: loaded.exists, warnings: loaded.warnings, errors: [] });
    for (const w of loaded.warnings) io.err(`warning: ${w}`);
    io.out(loaded.exists ? `config OK: ${loaded.path}` : `no config file at ${loaded.path}; secure defaults apply`);
  } catch (err) {
    if (!json || !isHoldfastError(err)) throw err;
    const issues = Array.isArray(err.details?.issues) ? (err.details.issues as string[]) : [err.message];
    printJson(io, { ok: false, path: file, exists: true, warnings: [], errors: issues, code: err.code });
    setExit(err.exitCode);
  }
}

/** `holdfast config get|set|unset|validate|path`. */
export function registerConfig(program: Command, io: CliIo, setExit: (code: number) => void): void {
  const config = program.command("config").description("read and change holdfast.json");
  config
    .command("path")
    .description("print the config file path")
    .option("--json", "JSON output")
    .action((o: { json?: boolean }) =>
      o.json ? printJson(io, { path: resolvePaths().configPath }) : io.out(resolvePaths().configPath),
    );
  config
    .command("validate")
    .description("check the config file; prints every problem with its key path (exit 78 when invalid)")
    .option("--json", "JSON output: {ok, path, exists, warnings, errors}")
    .action((o: { json?: boolean }) => validate(io, o.json === true, setExit));
  config
    .command("get [path]")
    .description("print a config value (secret values are redacted); exit 1 when the key is not set")
    .option("--json", "JSON output")
    .action(async (keyPath: string | undefined, o: { json?: boolean }) => {
      const loaded = await loadConfig(resolvePaths().configPath);
      const raw = redactedConfig(loaded, (s) => s) as Record<string, unknown>;
      const value = keyPath ? getAtPath(raw, keyPath) : raw;
      if (value === undefined && keyPath) throw missingKey(keyPath);
      if (o.json || typeof value === "object") printJson(io, value ?? null);
      else io.out(String(value));
    });
  config
    .command("set <path> <value>")
    .description("set a value (JSON5 literal or plain string); validated before it is written (atomic, mode 600)")
    .action(async (keyPath: string, value: string) => {
      const file = resolvePaths().configPath;
      await auditedConfigUpdate({
        configPath: file,
        change: (raw) => setAtPath(raw, keyPath, parseCliValue(value)),
        actor: { kind: "cli", command: "config set" },
      });
      io.out(`updated ${keyPath} in ${file}`);
    });
  config
    .command("unset <path>")
    .description("remove a key from the config file (validated, atomic, mode 600); its default applies again")
    .action(async (keyPath: string) => {
      const file = resolvePaths().configPath;
      await auditedConfigUpdate({
        configPath: file,
        change: (raw) => setAtPath(raw, keyPath, undefined),
        actor: { kind: "cli", command: "config unset" },
      });
      io.out(`removed ${keyPath} from ${file}`);
    });
}
