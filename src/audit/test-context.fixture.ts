import { resolvePaths, validateConfig } from "../config/index.js";
import { resolveAll } from "../secrets/index.js";
import { AUDIT_CHECKS } from "../app/audit-checks/index.js";
import { runAudit } from "./runner.js";
import type { Finding } from "./check.js";
import type { AuditContext, MachineFacts } from "./types.js";

/** An audit context for a config object, with state paths under `stateDir` (default: a path that does not exist). */
export async function contextFor(
  config: Record<string, unknown>,
  opts: { env?: NodeJS.ProcessEnv; stateDir?: string; logFiles?: string[]; machine?: MachineFacts } = {},
): Promise<AuditContext> {
  const env = { HOLDFAST_STATE_DIR: opts.stateDir ?? "/nonexistent/holdfast-audit-test", ...(opts.env ?? {}) };
  const { config: valid } = validateConfig(config);
  return {
    config: valid,
    raw: config,
    configExists: true,
    paths: resolvePaths(env),
    env,
    secrets: await resolveAll(valid, { env, allowExec: false }),
    logFiles: opts.logFiles ?? [],
    ...(opts.machine ? { machine: opts.machine } : {}),
  };
}

/** Runs every check on a config object and returns `checkId:severity` strings. */
export async function auditIds(
  config: Record<string, unknown>,
  opts: Parameters<typeof contextFor>[1] = {},
): Promise<string[]> {
  return (await auditFindings(config, opts)).map((f) => `${f.checkId}:${f.severity}`);
}

/** Runs every check on a config object. */
export async function auditFindings(
  config: Record<string, unknown>,
  opts: Parameters<typeof contextFor>[1] = {},
): Promise<readonly Finding[]> {
  return (await runAudit(await contextFor(config, opts), AUDIT_CHECKS)).findings;
}
