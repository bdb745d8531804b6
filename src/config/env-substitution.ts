import { HoldfastError } from "../errors/index.js";

const REF = /\$(\$?)\{([A-Z_][A-Z0-9_]*)\}/g;

/**
 * Replaces `${VAR}` references in every string value of a parsed config with the environment value.
 * Names must match `[A-Z_][A-Z0-9_]*` (`${lower}` stays verbatim); `$${VAR}` yields a literal `${VAR}`.
 * Returns a new value; `input` is not modified. Source: reference openclaw-semantics.md §1.3.
 * @throws HoldfastError HF_CONFIG_ENV_MISSING naming the variable and the key path when a referenced
 *   variable is unset or empty.
 */
export function substituteEnv(input: unknown, env: NodeJS.ProcessEnv, keyPath: string[] = []): unknown {
  if (typeof input === "string") return substituteString(input, env, keyPath);
  if (Array.isArray(input)) return input.map((v, i) => substituteEnv(v, env, [...keyPath, String(i)]));
  if (input !== null && typeof input === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(input)) out[k] = substituteEnv(v, env, [...keyPath, k]);
    return out;
  }
  return input;
}

function substituteString(s: string, env: NodeJS.ProcessEnv, keyPath: string[]): string {
  if (!s.includes("${")) return s;
  return s.replace(REF, (_m, escape: string, name: string) => {
    if (escape === "$") return `\${${name}}`;
    const value = env[name];
    if (value === undefined || value === "") {
      const at = keyPath.join(".") || "<root>";
      throw new HoldfastError("HF_CONFIG_ENV_MISSING", `Missing env var "${name}" referenced at config path: ${at}`, {
        variable: name,
        path: at,
      });
    }
    return value;
  });
}

/** True when the string holds at least one `${VAR}` reference (escapes excluded). */
export function hasEnvReference(s: string): boolean {
  for (const m of s.matchAll(REF)) if (m[1] !== "$") return true;
  return false;
}

/** What {@link standInEnv} puts in place of an unset variable. */
export const ENV_STAND_IN = "env-value-not-available-here";

/**
 * The environment with {@link ENV_STAND_IN} for every unset variable: for commands that read the
 * config's shape from a shell that lacks the gateway's environment (a `${OPENAI_API_KEY}` only the
 * service's env file holds). A value equal to the stand-in is not a real value.
 */
export function standInEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return new Proxy(env, {
    get: (e, name) => (typeof name === "string" ? e[name] || ENV_STAND_IN : undefined),
  });
}
