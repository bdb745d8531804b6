/**
 * The reference's environment variables holdfast accepts as aliases of its own (reference §1.1,
 * §2.6, §3.1): `[holdfast name, reference name]`. The holdfast name wins when both are set; a name
 * that is unset or empty counts as not set.
 */
export const ENV_ALIASES = [
  ["HOLDFAST_GATEWAY_TOKEN", "OPENCLAW_GATEWAY_TOKEN"],
  ["HOLDFAST_GATEWAY_PASSWORD", "OPENCLAW_GATEWAY_PASSWORD"],
  ["HOLDFAST_STATE_DIR", "OPENCLAW_STATE_DIR"],
  ["HOLDFAST_CONFIG_PATH", "OPENCLAW_CONFIG_PATH"],
  ["HOLDFAST_DISABLE_BONJOUR", "OPENCLAW_DISABLE_BONJOUR"],
] as const;

const isSet = (v: string | undefined): v is string => v !== undefined && v !== "";

/**
 * `env` with every alias applied: where a holdfast name is not set and its reference name is, the
 * holdfast name gets that value. Everything downstream reads the holdfast names only. Returns a copy
 * (`env` is not changed).
 */
export function withEnvAliases(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = { ...env };
  for (const [ours, theirs] of ENV_ALIASES) if (!isSet(out[ours]) && isSet(env[theirs])) out[ours] = env[theirs];
  return out;
}

/** Applies {@link withEnvAliases} to `env` in place (the CLI does this to `process.env` first thing). */
export function applyEnvAliases(env: NodeJS.ProcessEnv): void {
  for (const [ours, theirs] of ENV_ALIASES) if (!isSet(env[ours]) && isSet(env[theirs])) env[ours] = env[theirs];
}
