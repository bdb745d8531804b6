import path from "node:path";
import { probeModel, ProviderCatalog, type ModelProbeResult } from "../../agent/index.js";
import { AUDIT_CHECKS } from "../../app/audit-checks/index.js";
import { loadAuditContext, runAudit } from "../../audit/index.js";
import {
  loadConfig,
  resolvePaths,
  standInEnv,
  substituteEnv,
  validateConfig,
  type HoldfastPaths,
} from "../../config/index.js";
import { HoldfastError, errorMessage, isHoldfastError } from "../../errors/index.js";
import { configuredCredentials, generatedToken } from "../../gateway/index.js";
import { systemClock } from "../../infra/index.js";
import { silentLogger } from "../../logging/index.js";
import { resolveAll, storeFileSecret, SecretsSnapshot } from "../../secrets/index.js";
import { updateConfigForIncident } from "../commands/incident-util.js";
import {
  applyChanges,
  classify,
  configChanges,
  type ChangeAction,
  type ConfigChange,
  type OnboardAnswers,
} from "./plan.js";

/** The onboarding's config edit, decided but not written. */
export interface PreparedOnboard {
  readonly paths: HoldfastPaths;
  readonly answers: OnboardAnswers;
  readonly changes: readonly ConfigChange[];
  readonly actions: readonly ChangeAction[];
  readonly next: Record<string, unknown>;
  /** `<stateDir>/credentials/secrets.json`. */
  readonly secretsFile: string;
}

/**
 * Plans the config edit for `answers` against the current file.
 * @throws HoldfastError HF_ONBOARD_CONFLICT (a value would change without `force`), HF_CONFIG_* (the
 *   current file is invalid).
 */
export async function prepareOnboard(
  answers: OnboardAnswers,
  o: { readonly force: boolean; readonly env: NodeJS.ProcessEnv },
): Promise<PreparedOnboard> {
  const paths = resolvePaths(o.env);
  const secretsFile = path.join(paths.credentialsDir, "secrets.json");
  const raw = (await loadConfig(paths.configPath, standInEnv(o.env))).raw;
  const changes = configChanges(answers, secretsFile);
  const next = applyChanges(raw, changes, o.force);
  return { paths, answers, changes, actions: classify(raw, changes), next, secretsFile };
}

/**
 * One real call to the chosen model, through the config being written (keys from the environment or
 * the values just given; nothing is written yet).
 */
export async function probeOnboard(p: PreparedOnboard, env: NodeJS.ProcessEnv): Promise<ModelProbeResult> {
  const ref = `${p.answers.provider}/${p.answers.model}`;
  const withValues = applyChanges(
    p.next,
    p.changes.map((c) => (c.store ? { path: c.path, value: c.store.value } : c)),
    true,
  );
  let config;
  try {
    config = validateConfig(substituteEnv(withValues, env), p.paths.configPath).config;
  } catch (err) {
    return { ref, ok: false, ms: 0, error: errorMessage(err), ...(isHoldfastError(err) ? { code: err.code } : {}) };
  }
  const resolved = await resolveAll(config, { env, allowExec: false });
  const catalog = new ProviderCatalog(config, new SecretsSnapshot(new Map(resolved.snapshot.entries())), env);
  return probeModel(catalog, ref, { clock: systemClock, log: silentLogger(), timeoutMs: 30_000 });
}

/** Stores the given secrets (600) and writes the config (validated for shape, atomic, 600) when it changes. */
export async function commitOnboard(p: PreparedOnboard): Promise<boolean> {
  if (!p.actions.some((a) => a !== "unchanged")) return false;
  for (const c of p.changes) if (c.store) await storeFileSecret(p.secretsFile, c.store.pointer, c.store.value);
  await updateConfigForIncident(p.paths.configPath, () => p.next, "onboard");
  return true;
}

/** Where the gateway credential comes from after onboarding (the generated token file is created if needed). */
export async function ensureGatewayToken(
  paths: HoldfastPaths,
  env: NodeJS.ProcessEnv,
): Promise<{ readonly source: string; readonly created: boolean }> {
  const raw = (await loadConfig(paths.configPath, standInEnv(env))).raw;
  const auth = (raw.gateway as { auth?: Record<string, unknown> } | undefined)?.auth ?? {};
  const creds = configuredCredentials({ config: { gateway: { auth: {} } }, env, secrets: { get: () => undefined } });
  if (auth.token !== undefined) return { source: "gateway.auth.token", created: false };
  if (auth.password !== undefined) return { source: "gateway.auth.password", created: false };
  if (creds.token || creds.password)
    return { source: (creds.token ?? creds.password)?.source ?? "env", created: false };
  let created = false;
  await generatedToken({ paths, say: () => (created = true) });
  return { source: paths.generatedTokenFile, created };
}

/** The security audit summary of the written config (skipped with a reason when it cannot load here). */
export async function auditSummary(env: NodeJS.ProcessEnv): Promise<
  | {
      readonly summary: Readonly<Record<string, number>>;
      readonly findings: readonly { severity: string; checkId: string; title: string }[];
    }
  | { readonly skipped: string }
> {
  try {
    const report = await runAudit(await loadAuditContext({ env }), AUDIT_CHECKS);
    return {
      summary: report.summary,
      findings: report.findings
        .filter((f) => f.severity !== "info")
        .map(({ severity, checkId, title }) => ({ severity, checkId, title })),
    };
  } catch (err) {
    return { skipped: errorMessage(err).split("\n")[0] ?? "config not loadable" };
  }
}

/** @throws HoldfastError with the probe's code when the model did not answer. */
export function probeFailure(r: ModelProbeResult): HoldfastError {
  return new HoldfastError(
    r.code ?? "HF_NO_MODEL",
    `${r.ref} did not answer: ${r.error ?? "no reply"}. Nothing was written (pass --skip-probe to save it anyway).`,
  );
}
