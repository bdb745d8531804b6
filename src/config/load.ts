import JSON5 from "json5";
import { HoldfastError } from "../errors/index.js";
import { readFileIfExists } from "../infra/index.js";
import { collectCompatPaths, collectCompatWarnings } from "./compat-walk.js";
import { substituteEnv } from "./env-substitution.js";
import { formatIssues } from "./format-issues.js";
import { narrowingKeyIssues } from "./narrowing-keys.js";
import { normalizeConfig } from "./normalize.js";
import { ConfigSchema, type HoldfastConfig } from "./schema/root.js";

/** The result of loading a config file. */
export interface LoadedConfig {
  /** Validated, normalized config. Missing file → `{}` (every stage applies secure defaults). */
  readonly config: HoldfastConfig;
  /** The file as parsed, before `${VAR}` substitution (for audits: which values are env refs). */
  readonly raw: Record<string, unknown>;
  /** Path the config was read from (or would be written to). */
  readonly path: string;
  /** False when no config file exists. */
  readonly exists: boolean;
  /** Non-fatal notes: compat keys ignored, legacy keys migrated. */
  readonly warnings: readonly string[];
}

/**
 * Reads, substitutes, validates and normalizes the config file at `path`.
 * @throws HoldfastError HF_CONFIG_PARSE (not JSON5), HF_CONFIG_ENV_MISSING (unset `${VAR}`),
 *   HF_CONFIG_INVALID (schema; message lists every bad key path, one per line).
 */
export async function loadConfig(path: string, env: NodeJS.ProcessEnv = process.env): Promise<LoadedConfig> {
  const text = await readFileIfExists(path);
  if (text === undefined) return { config: {}, raw: {}, path, exists: false, warnings: [] };
  return { ...parseConfigText(text, path, env), path, exists: true };
}

/** Parses config text (see {@link loadConfig}); `source` names the file in error messages. */
export function parseConfigText(
  text: string,
  source: string,
  env: NodeJS.ProcessEnv = process.env,
): Omit<LoadedConfig, "path" | "exists"> {
  const raw = parseJson5(text, source);
  const substituted = substituteEnv(raw, env);
  return { ...validateConfig(substituted, source), raw };
}

/**
 * Validates an already-substituted config object. Keys accepted only for OpenClaw compatibility are
 * warnings, except those that would narrow privileges (refused: see narrowing-keys.ts).
 * @throws HoldfastError HF_CONFIG_INVALID with one line per problem.
 */
export function validateConfig(value: unknown, source = "config"): { config: HoldfastConfig; warnings: string[] } {
  const result = ConfigSchema.safeParse(value);
  const narrowing = result.success ? narrowingKeyIssues(collectCompatPaths(ConfigSchema, result.data)) : [];
  if (!result.success || narrowing.length > 0) {
    const lines = result.success ? narrowing : formatIssues(result.error.issues, value, ConfigSchema);
    throw new HoldfastError(
      "HF_CONFIG_INVALID",
      `Invalid config (${source}):\n${lines.map((l) => `  - ${l}`).join("\n")}`,
      { issues: lines, source },
    );
  }
  const compat = collectCompatWarnings(ConfigSchema, result.data);
  const { config, warnings } = normalizeConfig(result.data);
  return { config, warnings: [...compat, ...warnings] };
}

function parseJson5(text: string, source: string): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON5.parse(text);
  } catch (err) {
    throw new HoldfastError(
      "HF_CONFIG_PARSE",
      `Config file ${source} is not valid JSON5: ${(err as Error).message}`,
      { source },
      { cause: err },
    );
  }
  if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) {
    throw new HoldfastError("HF_CONFIG_PARSE", `Config file ${source} must hold an object at the top level`, {
      source,
    });
  }
  return parsed as Record<string, unknown>;
}
