import type { Command } from "commander";
import { AUDIT_CHECKS } from "../../app/audit-checks/index.js";
import {
  applySafeFixes,
  deepProbe,
  failsAt,
  formatReport,
  loadAuditContext,
  reportJson,
  runAudit,
  withFindings,
  type FixResult,
  type AuditCheck,
  type InterfaceAddress,
  type MachineFacts,
  type Severity,
} from "../../audit/index.js";
import { HoldfastError } from "../../errors/index.js";
import { cliTrail } from "../trail.js";
import { printJson, type CliIo } from "../io.js";

/** Flags of `holdfast security audit`. */
export interface SecurityAuditFlags {
  readonly deep?: boolean;
  readonly fix?: boolean;
  readonly json?: boolean;
  readonly failOn?: string;
}

/** Test seams of {@link securityAudit}: the environment, the host's interface addresses and the checks. */
export interface SecurityAuditDeps {
  /** Default: every check ({@link AUDIT_CHECKS}). */
  readonly checks?: readonly AuditCheck[];
  readonly env?: NodeJS.ProcessEnv;
  readonly interfaces?: () => readonly InterfaceAddress[];
  readonly logDir?: string;
  /** What the machine offers the jails (default: probed here). */
  readonly machine?: () => Promise<MachineFacts>;
}

const SEVERITY_NAMES: readonly string[] = ["critical", "warn", "info"];

/**
 * `holdfast security audit [--deep] [--fix] [--json] [--fail-on <severity>]`. Exit code 0 (like the
 * reference) unless `--fail-on` is given and a finding at that severity or worse remains.
 * @returns the exit code.
 */
export async function securityAudit(
  flags: SecurityAuditFlags,
  io: CliIo,
  deps: SecurityAuditDeps = {},
): Promise<number> {
  if (flags.failOn !== undefined && !SEVERITY_NAMES.includes(flags.failOn))
    throw new HoldfastError("HF_CLI_USAGE", `--fail-on must be one of critical, warn, info (got "${flags.failOn}")`);
  const env = deps.env ?? process.env;
  const machine = await (deps.machine ?? (async () => (await import("../../sandbox/index.js")).jailFacts()))();
  const load = () => loadAuditContext({ env, machine, ...(deps.logDir ? { logDir: deps.logDir } : {}) });
  let ctx = await load();
  let fix: FixResult | undefined;
  if (flags.fix) {
    fix = await applySafeFixes(ctx);
    if (fix.configWritten)
      await cliTrail(env).record({
        type: "config.changed",
        actor: { kind: "fix", command: "security audit --fix" },
        details: { paths: fix.changes.map((c) => c.split(":")[0] as string) },
      });
    ctx = await load();
  }
  let report = await runAudit(ctx, deps.checks ?? AUDIT_CHECKS);
  let deep: Awaited<ReturnType<typeof deepProbe>> | undefined;
  if (flags.deep) {
    // Loaded only for --deep: the credential lookup pulls in the whole app.
    const [{ bootstrapLenient }, { cliCredential }] = await Promise.all([
      import("../../app/index.js"),
      import("../context.js"),
    ]);
    const credential = await cliCredential(await bootstrapLenient({ env }));
    deep = await deepProbe(ctx, { credential, ...(deps.interfaces ? { interfaces: deps.interfaces } : {}) });
    report = withFindings(report, deep.findings);
  }
  const json = reportJson(report, deep ? { deep: { gateway: deep.gateway } } : {});
  if (flags.json) printJson(io, fix ? { fix, report: json } : json);
  else {
    if (fix) for (const l of fixLines(fix)) io.out(l);
    for (const l of formatReport(report)) io.out(l);
    if (deep)
      io.out(
        `\nLive probe: ${deep.gateway.attempted ? `${deep.gateway.url} ${deep.gateway.ok ? "ok" : `failed (${deep.gateway.error})`}` : "gateway not running"}`,
      );
  }
  return flags.failOn && failsAt(report, flags.failOn as Severity) ? 1 : 0;
}

function fixLines(fix: FixResult): string[] {
  const lines = fix.changes.map((c) => `changed ${c}`);
  for (const a of fix.actions)
    if (!a.skipped) lines.push(a.ok ? `chmod ${a.mode} ${a.path}` : `chmod failed ${a.path}: ${a.error}`);
  for (const e of fix.errors) lines.push(`error: ${e}`);
  if (lines.length === 0) lines.push("nothing to fix");
  lines.push("");
  return lines;
}

/** `holdfast security audit`. */
export function registerSecurity(program: Command, io: CliIo, setExit: (code: number) => void): void {
  const security = program.command("security").description("security checks of config, state and the running gateway");
  security
    .command("audit")
    .description("check who can talk to the bot, where it can act and what it can touch")
    .option("--deep", "also probe the running gateway (reachability, unauthenticated access, /health)")
    .option(
      "--fix",
      "apply the safe tightenings (open groups -> allowlist, log redaction on, chmod 700/600 of state paths)",
    )
    .option("--json", "JSON output: {ts, summary, findings}")
    .option("--fail-on <severity>", "exit 1 when a finding at this severity or worse exists (critical | warn | info)")
    .action(async (o: SecurityAuditFlags) => setExit(await securityAudit(o, io)));
}
