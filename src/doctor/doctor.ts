import { checkModelChain, type ModelChainCheck } from "../agent/index.js";
import { agentRoster, loadConfig, resolvePaths, updateConfigFile, type LoadedConfig } from "../config/index.js";
import { isHoldfastError, type ErrorCode } from "../errors/index.js";
import { loadAuditContext, runAudit, type AuditCheck, type Finding, type MachineFacts } from "../audit/index.js";
import { systemClock } from "../infra/index.js";
import { silentLogger } from "../logging/index.js";
import { jailFacts } from "../sandbox/index.js";
import { resolveAll, type SecretResolution } from "../secrets/index.js";
import { channelCredentials, type ChannelCredentialStatus } from "./channel-credentials.js";
import { channelServices } from "./channel-services.js";
import { gatewayCredentialSource } from "./gateway-token.js";
import { hooksTokenFix, newHooksToken, withHooksToken } from "./hooks-token.js";
import { migrateLegacyKeys } from "./migrations.js";
import { nextSteps } from "./next-steps.js";
import { checkStorage } from "./storage.js";
import type { StorageFinding } from "../store/index.js";

/** One gateway start precondition as doctor reports it (the gateway's own check, `src/app/preconditions.ts`). */
export interface DoctorPrecondition {
  readonly id: string;
  readonly ok: boolean;
  readonly detail: string;
  readonly code?: ErrorCode;
  /** The port is held by this state dir's running gateway: fine for doctor, a refusal for a second start. */
  readonly heldByThisGateway?: boolean;
  readonly skipped?: boolean;
}

/** Everything `holdfast doctor` found. Contains key paths and file paths, never secret values. */
export interface DoctorReport {
  readonly configPath: string;
  readonly config: {
    readonly ok: boolean;
    readonly exists: boolean;
    readonly errors: readonly string[];
    readonly warnings: readonly string[];
  };
  readonly migrations: { readonly pending: readonly string[]; readonly applied: readonly string[] };
  readonly secrets: { readonly unresolved: readonly string[]; readonly skippedExecRefs: number };
  readonly gatewayCredential: string;
  /** The gateway's start preconditions, each as the gateway itself checks it. */
  readonly gateway: { readonly startable: boolean; readonly preconditions: readonly DoctorPrecondition[] };
  /** The default agent's model chain (with `probe`: one real call per model). */
  readonly model?: ModelChainCheck;
  readonly channels: readonly ChannelCredentialStatus[];
  /** State database, moved-aside corrupt files, transcripts (see `inspectStorage`). */
  readonly storage: { readonly findings: readonly StorageFinding[]; readonly fixed: readonly string[] };
  /** Where tools run: the host jail (bubblewrap) and session cgroups, or what is missing and how to get it. */
  readonly jails?: { readonly hostJail: string; readonly sessionLimits: string };
  readonly audit?: {
    readonly summary: Readonly<Record<string, number>>;
    readonly findings: readonly Pick<Finding, "checkId" | "severity" | "title">[];
  };
  readonly nextSteps: readonly string[];
}

/** Options of {@link runDoctor}. */
export interface DoctorOptions {
  readonly env?: NodeJS.ProcessEnv;
  /**
   * Rewrite legacy keys in the config file (validated, atomic, 600), rotate a hooks token the gateway
   * refuses (short, or the gateway's own credential), and rebuild the session index from the
   * transcripts (orphaned transcripts re-indexed, counts re-derived).
   */
  readonly fix?: boolean;
  /** Directory of the dated default logs (tests). */
  readonly logDir?: string;
  /** The audit checks to summarize (the composition root's list, `src/app/audit-checks/index.ts`). */
  readonly checks: readonly AuditCheck[];
  /**
   * The gateway's start preconditions for this environment (the composition root's
   * `checkStartPreconditions`), given the secrets that did not resolve.
   */
  readonly preconditions: (env: NodeJS.ProcessEnv) => Promise<readonly DoctorPrecondition[]>;
  /** Make one real call to each model of the default agent's chain (`--probe`). */
  readonly probe?: boolean;
  /** What the machine offers the jails (default: probed here). */
  readonly machine?: () => Promise<MachineFacts>;
}

/**
 * `holdfast doctor`: validates the config (each problem with its key path), lists legacy keys (and
 * with `fix` rewrites them), checks that secrets resolve, runs every gateway start precondition (the
 * gateway's own checks: log file, exposure and credentials, channel settings, the port), checks that
 * a model is configured (with `probe`: that it answers), says where the gateway credential comes
 * from, checks channel credentials, summarizes the security audit, and says what to do next.
 * Source: the secrets and onboarding issues; reference §10.4.
 */
export async function runDoctor(opts: DoctorOptions): Promise<DoctorReport> {
  const env = opts.env ?? process.env;
  const paths = resolvePaths(env);
  const storage = await checkStorage(paths, opts.fix === true);
  let loaded: LoadedConfig;
  try {
    loaded = await loadConfig(paths.configPath, env);
  } catch (err) {
    if (!isHoldfastError(err)) throw err;
    const issues = Array.isArray(err.details?.issues) ? (err.details.issues as string[]) : [err.message];
    const config = { ok: false, exists: true, errors: issues, warnings: [] };
    return {
      configPath: paths.configPath,
      config,
      migrations: { pending: [], applied: [] },
      secrets: { unresolved: [], skippedExecRefs: 0 },
      gatewayCredential: "unknown (config invalid)",
      gateway: { startable: false, preconditions: [] },
      channels: [],
      storage,
      nextSteps: nextSteps({ configOk: false }),
    };
  }
  const { changes } = migrateLegacyKeys(loaded.raw);
  let applied: string[] = [];
  if (opts.fix && changes.length > 0) {
    await updateConfigFile(paths.configPath, (raw) => migrateLegacyKeys(raw).next, env);
    applied = changes;
    loaded = await loadConfig(paths.configPath, env);
  }
  let resolved = await resolveAll(loaded.config, { env, allowExec: false });
  const hooksFix = hooksTokenFix({ config: loaded.config, raw: loaded.raw, secrets: resolved.snapshot, env, paths });
  if (opts.fix && hooksFix) {
    await updateConfigFile(paths.configPath, (raw) => withHooksToken(raw, newHooksToken()), env);
    applied = [...applied, hooksFix];
    loaded = await loadConfig(paths.configPath, env);
    resolved = await resolveAll(loaded.config, { env, allowExec: false });
  }
  const machine = await (opts.machine ?? jailFacts)();
  const ctx = await loadAuditContext({
    env,
    paths,
    machine,
    loaded: { config: loaded, secrets: resolved },
    ...(opts.logDir ? { logDir: opts.logDir } : {}),
  });
  const report = await runAudit(ctx, opts.checks);
  const findings = report.findings
    .filter((f) => f.severity !== "info")
    .map(({ checkId, severity, title }) => ({ checkId, severity, title }));
  const channels = [
    ...channelCredentials(loaded.config, resolved, env, paths),
    ...(await channelServices(loaded.config, env)),
  ];
  const pending = opts.fix ? [] : [...changes, ...(hooksFix ? [hooksFix.replace(": rotated", ": to rotate")] : [])];
  const preconditions = await opts.preconditions(env);
  const startable = preconditions.every((p) => p.ok || p.heldByThisGateway === true);
  const model = await defaultAgentModel(loaded, resolved, { env, paths, probe: opts.probe === true });
  return {
    configPath: paths.configPath,
    config: { ok: true, exists: loaded.exists, errors: [], warnings: [...loaded.warnings] },
    migrations: { pending, applied },
    secrets: { unresolved: resolved.failures.map((f) => f.message), skippedExecRefs: resolved.skippedExecRefs },
    gatewayCredential: gatewayCredentialSource(loaded.config, loaded.raw, env, paths),
    gateway: { startable, preconditions },
    model,
    channels,
    storage,
    jails: jailLines(loaded.config, machine),
    audit: { summary: report.summary, findings },
    nextSteps: nextSteps({
      configOk: true,
      pendingMigrations: pending.length,
      refusals: preconditions.filter((p) => !p.ok && p.heldByThisGateway !== true && p.id !== "secrets").length,
      model,
      unresolved: resolved.failures.length,
      missingChannels: channels.filter((c) => !c.present).length,
      ...(!machine.hostJail.ok && loaded.config.tools?.exec?.hostJail !== "off"
        ? { missingJail: machine.hostJail.reason }
        : {}),
      findings: report.findings,
    }),
  };
}

/**
 * Exit code of `holdfast doctor`: 1 when the gateway could not start (invalid config, unresolved
 * secrets, any failed start precondition), could not answer (no usable model; with `--probe`, no
 * model of the chain answered) or a store is unreadable, else 0.
 */
export function doctorExitCode(r: DoctorReport): number {
  if (!r.config.ok || r.secrets.unresolved.length > 0 || !r.gateway.startable) return 1;
  if (r.storage.findings.some((f) => f.severity === "critical")) return 1;
  return r.model && !r.model.ok ? 1 : 0;
}

async function defaultAgentModel(
  loaded: LoadedConfig,
  resolved: SecretResolution,
  o: { env: NodeJS.ProcessEnv; paths: ReturnType<typeof resolvePaths>; probe: boolean },
): Promise<ModelChainCheck> {
  const roster = agentRoster(loaded.config, o.paths);
  const agentId = roster.ids()[0] ?? "main";
  return checkModelChain({
    config: loaded.config,
    configPath: o.paths.configPath,
    secrets: resolved.snapshot,
    env: o.env,
    clock: systemClock,
    log: silentLogger(),
    agentId,
    agent: roster.entry(agentId),
    probe: o.probe,
  });
}

/** The jail section of the report. */
function jailLines(config: LoadedConfig["config"], m: MachineFacts): NonNullable<DoctorReport["jails"]> {
  const off = config.tools?.exec?.hostJail === "off";
  const cg = m.sessionCgroups;
  return {
    hostJail: off
      ? 'off (tools.exec.hostJail: "off"): tools of unsandboxed sessions run on the bare host'
      : m.hostJail.ok
        ? "ok (bubblewrap)"
        : `UNAVAILABLE: ${m.hostJail.reason}`,
    sessionLimits: cg.ok ? `per session (cgroup ${cg.controllers.join(", ")})` : `per process only: ${cg.reason}`,
  };
}
