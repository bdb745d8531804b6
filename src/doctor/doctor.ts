import { loadConfig, resolvePaths, updateConfigFile, type LoadedConfig } from "../config/index.js";
import { isHoldfastError } from "../errors/index.js";
import { loadAuditContext, runAudit, type AuditCheck, type Finding, type MachineFacts } from "../audit/index.js";
import { jailFacts } from "../sandbox/index.js";
import { resolveAll } from "../secrets/index.js";
import { channelCredentials, type ChannelCredentialStatus } from "./channel-credentials.js";
import { channelServices } from "./channel-services.js";
import { gatewayCredentialSource } from "./gateway-token.js";
import { migrateLegacyKeys } from "./migrations.js";
import { nextSteps } from "./next-steps.js";
import { checkStorage } from "./storage.js";
import type { StorageFinding } from "../store/index.js";

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
   * Rewrite legacy keys in the config file (validated, atomic, 600) and rebuild the session index from
   * the transcripts (orphaned transcripts re-indexed, counts re-derived).
   */
  readonly fix?: boolean;
  /** Directory of the dated default logs (tests). */
  readonly logDir?: string;
  /** The audit checks to summarize (the composition root's list, `src/app/audit-checks/index.ts`). */
  readonly checks: readonly AuditCheck[];
  /** What the machine offers the jails (default: probed here). */
  readonly machine?: () => Promise<MachineFacts>;
}

/**
 * `holdfast doctor`: validates the config (each problem with its key path), lists legacy keys (and
 * with `fix` rewrites them), checks that secrets resolve, says where the gateway credential comes
 * from, checks channel credentials, summarizes the security audit, and says what to do next.
 * Source: the secrets issue; reference §10.4.
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
  const resolved = await resolveAll(loaded.config, { env, allowExec: false });
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
    ...(await channelServices(loaded.config)),
  ];
  const pending = applied.length > 0 ? [] : changes;
  return {
    configPath: paths.configPath,
    config: { ok: true, exists: loaded.exists, errors: [], warnings: [...loaded.warnings] },
    migrations: { pending, applied },
    secrets: { unresolved: resolved.failures.map((f) => f.message), skippedExecRefs: resolved.skippedExecRefs },
    gatewayCredential: gatewayCredentialSource(loaded.config, loaded.raw, env, paths),
    channels,
    storage,
    jails: jailLines(loaded.config, machine),
    audit: { summary: report.summary, findings },
    nextSteps: nextSteps({
      configOk: true,
      pendingMigrations: pending.length,
      unresolved: resolved.failures.length,
      missingChannels: channels.filter((c) => !c.present).length,
      ...(!machine.hostJail.ok && loaded.config.tools?.exec?.hostJail !== "off"
        ? { missingJail: machine.hostJail.reason }
        : {}),
      findings: report.findings,
    }),
  };
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

/**
 * Exit code of `holdfast doctor`: 1 when the gateway cannot start (invalid config, unresolved secrets)
 * or a store is unreadable, else 0.
 */
export function doctorExitCode(r: DoctorReport): number {
  const critical = r.storage.findings.some((f) => f.severity === "critical");
  return !r.config.ok || r.secrets.unresolved.length > 0 || critical ? 1 : 0;
}
