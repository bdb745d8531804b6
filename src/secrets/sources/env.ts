import type { BatchOutcome, SourceContext } from "./types.js";

/** Settings of an `env` provider (`secrets.providers.<alias>` with `source: "env"`). */
export interface EnvProviderSettings {
  /** Exact variable names this provider may read; `[]` denies every name. Absent: any name. */
  readonly allowlist?: readonly string[];
}

/**
 * Resolves env refs: the id is an environment variable name. An unset or empty variable, or a name
 * outside the provider's allowlist, is unresolved. Source: reference §8.1 (env provider).
 */
export function resolveEnvIds(settings: EnvProviderSettings, ids: readonly string[], ctx: SourceContext): BatchOutcome {
  const out = new Map<string, { ok: true; value: unknown } | { ok: false; reason: string }>();
  for (const id of ids) {
    if (settings.allowlist && !settings.allowlist.includes(id))
      out.set(id, { ok: false, reason: `variable ${id} is not in the provider's allowlist` });
    else if (ctx.env[id] === undefined || ctx.env[id] === "")
      out.set(id, { ok: false, reason: `environment variable ${id} is not set` });
    else out.set(id, { ok: true, value: ctx.env[id] });
  }
  return out;
}
