import { BUILT_IN_PROVIDERS } from "../../agent/index.js";
import { CHANNELS } from "../../channels/index.js";
import type { HoldfastPaths } from "../../config/index.js";

/** holdfast's own variables carried into the service when set here. */
const OWN_VARS = [
  "HOLDFAST_CONFIG_PATH",
  "HOLDFAST_GATEWAY_TOKEN",
  "HOLDFAST_GATEWAY_PASSWORD",
  "HOLDFAST_GATEWAY_PORT",
  "HOLDFAST_DISABLE_BONJOUR",
];

/** The environment a service needs, and the referenced variables missing here. */
export interface ServiceEnvironment {
  readonly vars: Readonly<Record<string, string>>;
  /** Variables the config references (`${VAR}`, env SecretRefs) that are not set in this shell. */
  readonly missing: readonly string[];
}

/**
 * What the gateway's environment must hold when a service manager starts it (it does not inherit
 * this shell's): `HOLDFAST_STATE_DIR`, `PATH`, holdfast's own variables, every variable the config
 * names (`${VAR}` and env SecretRefs), and the provider and channel variables that work without
 * config (`OPENAI_API_KEY`, `TELEGRAM_BOT_TOKEN`, ...) — each copied from this environment when set.
 */
export function serviceEnvironment(
  raw: Record<string, unknown>,
  env: NodeJS.ProcessEnv,
  paths: Pick<HoldfastPaths, "stateDir">,
): ServiceEnvironment {
  const referenced = referencedVars(raw);
  const implicit = [
    ...OWN_VARS,
    ...Object.values(BUILT_IN_PROVIDERS).flatMap((p) => (p.envKey ? [p.envKey] : [])),
    ...CHANNELS.flatMap((c) => c.credentials.map((k) => k.env)),
  ];
  const vars: Record<string, string> = { HOLDFAST_STATE_DIR: paths.stateDir };
  if (env.PATH) vars.PATH = env.PATH;
  for (const name of [...new Set([...implicit, ...referenced])]) {
    const v = env[name];
    if (v !== undefined && v !== "") vars[name] = v;
  }
  return { vars, missing: [...referenced].filter((n) => !env[n]) };
}

/** Variable names a raw config refers to: `${VAR}` in strings and `{source: "env", id}` SecretRefs. */
export function referencedVars(raw: unknown): Set<string> {
  const out = new Set<string>();
  const walk = (v: unknown) => {
    if (typeof v === "string") for (const m of v.matchAll(/(?<!\$)\$\{([A-Z_][A-Z0-9_]*)\}/g)) out.add(m[1] as string);
    else if (Array.isArray(v)) v.forEach(walk);
    else if (v !== null && typeof v === "object") {
      const o = v as Record<string, unknown>;
      if (o.source === "env" && typeof o.id === "string" && typeof o.provider === "string") out.add(o.id);
      Object.values(o).forEach(walk);
    }
  };
  walk(raw);
  return out;
}
