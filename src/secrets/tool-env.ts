import type { HoldfastConfig } from "../config/index.js";
import { scrubbedEnv } from "../sandbox/index.js";

/** Where a spawned tool would receive a configured secret through its environment. */
export interface ToolEnvLeak {
  /** `exec environment` or the config path of a sandbox `docker.env`. */
  readonly where: string;
  /** Variable names (never values). */
  readonly variables: readonly string[];
}

/**
 * Checks the environments spawned tools get: the exec environment built by `scrubbedEnv` from the
 * gateway's `env`, and every sandbox `docker.env`, against the configured secret `values`.
 */
export function toolEnvLeaks(
  config: HoldfastConfig,
  env: NodeJS.ProcessEnv,
  workspaceDir: string,
  values: readonly string[],
): ToolEnvLeak[] {
  if (values.length === 0) return [];
  const hits = (vars: Readonly<Record<string, string>>) =>
    Object.entries(vars)
      .filter(([, v]) => values.some((s) => v.includes(s)))
      .map(([k]) => k);
  const sources: [string, Readonly<Record<string, string>> | undefined][] = [
    ["exec environment", scrubbedEnv(env, workspaceDir)],
    ["agents.defaults.sandbox.docker.env", config.agents?.defaults?.sandbox?.docker?.env],
    ...(config.agents?.list ?? []).map((a, i): [string, Readonly<Record<string, string>> | undefined] => [
      `agents.list.${i}.sandbox.docker.env`,
      a.sandbox?.docker?.env,
    ]),
  ];
  return sources.flatMap(([where, vars]) => {
    const variables = vars ? hits(vars) : [];
    return variables.length > 0 ? [{ where, variables }] : [];
  });
}
