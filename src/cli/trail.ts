import { changedKeyPaths, resolvePaths, updateConfigFile } from "../config/index.js";
import { systemClock } from "../infra/index.js";
import { silentLogger } from "../logging/index.js";
import { FileSecurityTrail, trailPaths, type SecurityActor } from "../trail/index.js";

/** The security trail of this shell's state dir, for commands that do not build an app context. */
export function cliTrail(env: NodeJS.ProcessEnv = process.env): FileSecurityTrail {
  return new FileSecurityTrail(trailPaths(resolvePaths(env).stateDir), { clock: systemClock, log: silentLogger() });
}

/**
 * {@link updateConfigFile} that records `config.changed` in the security trail with the key paths
 * that changed (never values) and who changed them. Returns those paths (nothing is recorded when
 * none changed). @throws what updateConfigFile throws (nothing is recorded then).
 */
export async function auditedConfigUpdate(o: {
  readonly configPath: string;
  readonly change: (raw: Record<string, unknown>) => Record<string, unknown>;
  readonly actor: SecurityActor;
  readonly env?: NodeJS.ProcessEnv;
}): Promise<string[]> {
  let before: Record<string, unknown> = {};
  const next = await updateConfigFile(
    o.configPath,
    (raw) => {
      before = structuredClone(raw);
      return o.change(raw);
    },
    o.env,
  );
  const paths = changedKeyPaths(before, next);
  if (paths.length > 0) await cliTrail().record({ type: "config.changed", actor: o.actor, details: { paths } });
  return paths;
}
