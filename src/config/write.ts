import path from "node:path";
import { promises as fsp } from "node:fs";
import JSON5 from "json5";
import { HoldfastError } from "../errors/index.js";
import { readFileIfExists, writeFileAtomic } from "../infra/index.js";
import { substituteEnv } from "./env-substitution.js";
import { resolvePaths } from "./paths.js";
import { validateConfig } from "./load.js";

/** A dotted key path such as `gateway.auth.token`; numeric segments index arrays. */
export function splitKeyPath(keyPath: string): string[] {
  const parts = keyPath.split(".");
  if (
    keyPath.trim() === "" ||
    parts.some((p) => p === "" || p === "__proto__" || p === "constructor" || p === "prototype")
  ) {
    throw new HoldfastError("HF_CLI_USAGE", `invalid config key path "${keyPath}"`);
  }
  return parts;
}

/** Reads the value at `keyPath` of a plain object, or undefined. */
export function getAtPath(obj: unknown, keyPath: string): unknown {
  let cur: unknown = obj;
  for (const k of splitKeyPath(keyPath)) {
    if (cur === null || typeof cur !== "object") return undefined;
    cur = (cur as Record<string, unknown>)[k];
  }
  return cur;
}

/** Returns a copy of `obj` with `keyPath` set to `value` (`undefined` removes the key). */
export function setAtPath(obj: Record<string, unknown>, keyPath: string, value: unknown): Record<string, unknown> {
  const root = structuredClone(obj);
  const keys = splitKeyPath(keyPath);
  let cur: Record<string, unknown> = root;
  for (const k of keys.slice(0, -1)) {
    const next = cur[k];
    if (next === null || typeof next !== "object") cur[k] = {};
    cur = cur[k] as Record<string, unknown>;
  }
  const last = keys[keys.length - 1] as string;
  if (value === undefined) delete cur[last];
  else cur[last] = value;
  return root;
}

/**
 * Applies `change` to the raw config file (comments are not kept: holdfast writes plain JSON), checks
 * the result against the schema, then writes it atomically with mode 600. A missing directory is
 * created with mode 700; an existing one is tightened to 700 only when it is the state dir (`env`'s
 * `HOLDFAST_STATE_DIR`, default `~/.holdfast`): the config may live in a directory holdfast does not
 * own, whose mode is not its to change. Nothing is written when validation fails.
 * @throws HoldfastError HF_CONFIG_INVALID / HF_CONFIG_PARSE / HF_CONFIG_WRITE.
 */
export async function updateConfigFile(
  configPath: string,
  change: (raw: Record<string, unknown>) => Record<string, unknown>,
  env: NodeJS.ProcessEnv = process.env,
): Promise<Record<string, unknown>> {
  const text = await readFileIfExists(configPath);
  let raw: Record<string, unknown> = {};
  if (text !== undefined) {
    try {
      raw = JSON5.parse(text) as Record<string, unknown>;
    } catch (err) {
      throw new HoldfastError(
        "HF_CONFIG_PARSE",
        `Config file ${configPath} is not valid JSON5: ${(err as Error).message}`,
        { source: configPath },
      );
    }
  }
  const next = change(raw);
  validateConfig(substituteEnv(next, env), configPath);
  // A missing directory is created 700. An existing one is tightened only when it is the state dir:
  // the config may live in a directory holdfast does not own (`~`, `/etc/holdfast`, `/tmp`).
  const dir = path.dirname(path.resolve(configPath));
  await fsp.mkdir(dir, { recursive: true, mode: 0o700 });
  await writeFileAtomic(configPath, `${JSON.stringify(next, null, 2)}\n`, 0o600, { privateDir: false });
  if (dir === resolvePaths(env).stateDir) await tightenDir(dir);
  return next;
}

async function tightenDir(dir: string): Promise<void> {
  const st = await fsp.stat(dir).catch(() => undefined);
  if (st && (st.mode & 0o077) !== 0) await fsp.chmod(dir, 0o700).catch(() => undefined);
}

/** Parses a CLI value: JSON5 when it parses (numbers, booleans, objects, quoted strings), else the raw string. */
export function parseCliValue(text: string): unknown {
  try {
    return JSON5.parse(text);
  } catch {
    return text;
  }
}

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === "object" && !Array.isArray(v);

/**
 * The dotted key paths whose values differ between two raw configs (leaves and arrays compared
 * whole; a key added or removed counts as changed). Only paths, never values: the security trail
 * records them for `config.changed`.
 */
export function changedKeyPaths(before: unknown, after: unknown, at = ""): string[] {
  if (isPlainObject(before) && isPlainObject(after)) {
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
    return keys.flatMap((k) => changedKeyPaths(before[k], after[k], at ? `${at}.${k}` : k));
  }
  return JSON.stringify(before) === JSON.stringify(after) ? [] : [at || "(root)"];
}
