import type { ArgvPattern } from "../approvals/index.js";
import { canonicalCommand, displayCommand, parseCommandLine } from "./exec-parse.js";
import { NEUTRAL_ENV, neutraliseSegment } from "./exec-neutralise.js";
import { decideExec, type ExecPolicy, type ExecVerdict } from "./exec-policy.js";
import { resolveSegments, type ResolvedSegment } from "./exec-resolve.js";

/** What to run and whether it may run. */
export interface ExecPlan {
  readonly verdict: ExecVerdict;
  /** Readable command line for prompts and audit lines. */
  readonly display: string;
  /** argv of each segment (empty under security full, where the line runs as written). */
  readonly segments: readonly (readonly string[])[];
  /** What allow-always would persist: each segment's resolved executable and exact arguments. */
  readonly patterns: readonly ArgvPattern[];
  /** How to run it: one argv without a shell, or a shell line (canonical, every word quoted). */
  readonly run: { readonly argv: readonly string[] } | { readonly shellCommand: string };
  /** Environment overrides for the run (the neutralisation of an approval-free allowlisted command). */
  readonly env: Readonly<Record<string, string>>;
  /** Run with a private, empty HOME (approval-free allowlisted commands). */
  readonly privateHome: boolean;
}

/** Where {@link planExec} resolves executables. */
export interface ExecWhere {
  /** Host directory the command runs in. */
  readonly cwd: string;
  /** The `PATH` of the runner's environment. */
  readonly pathVar: string;
  /** Host path → the path the runner sees. Default: unchanged. */
  readonly mapPath?: (hostPath: string) => string;
  /** The workspace (host path): executables there are not looked at on the host. */
  readonly workspace?: string;
}

/**
 * Plans one exec: under `security: full` the line runs as written through `/bin/sh -c`; otherwise it
 * is parsed into segments, each executable is resolved in `cwd`/`pathVar`, the policy decides, and
 * the command that runs is rebuilt from the checked argv (a single segment runs without any shell;
 * chained segments run as a canonical, fully quoted shell line), so nothing unchecked can run.
 * `mapPath` turns a resolved host path into the path the runner sees (sandbox: `/workspace/...`).
 * A command admitted without approval (allowlisted or a safe bin) runs neutralised: its known
 * config-driven code paths are switched off (exec-neutralise.ts).
 */
export async function planExec(line: string, policy: ExecPolicy, where: ExecWhere): Promise<ExecPlan> {
  const { cwd, pathVar, workspace, mapPath = (p: string) => p } = where;
  if (policy.security === "full") {
    return {
      verdict: decideExec(policy, undefined),
      display: line,
      segments: [],
      patterns: [],
      run: { shellCommand: line },
      env: {},
      privateHome: false,
    };
  }
  const parsed = parseCommandLine(line);
  if (!parsed.ok)
    return {
      verdict: decideExec(policy, undefined, parsed.reason),
      display: line,
      segments: [],
      patterns: [],
      run: { shellCommand: line },
      env: {},
      privateHome: false,
    };
  const resolved = await resolveSegments(parsed.command.segments, cwd, pathVar, workspace);
  const verdict = decideExec(policy, resolved);
  const neutral = verdict.kind === "run" && verdict.reason === "exec_allowlisted";
  let env: Record<string, string> = {};
  const exact = resolved.map((s) => {
    const argv = s.path ? [mapPath(s.path), ...s.argv.slice(1)] : [...s.argv];
    if (!neutral) return { ...s, argv };
    const n = neutraliseSegment(argv, [s.real ?? "", s.path ?? ""]);
    env = { ...env, ...n.env };
    return { ...s, argv: n.argv };
  });
  if (neutral) env = { ...NEUTRAL_ENV, ...env };
  const command = { segments: exact.map((s) => s.argv), ops: parsed.command.ops };
  return {
    verdict,
    display: displayCommand(parsed.command),
    segments: parsed.command.segments,
    patterns: resolved
      .filter((s): s is ResolvedSegment & { path: string } => s.path !== undefined)
      .map((s) => ({ pattern: s.path, args: s.argv.slice(1) })),
    run:
      exact.length === 1 ? { argv: (exact[0] as ResolvedSegment).argv } : { shellCommand: canonicalCommand(command) },
    env,
    privateHome: neutral,
  };
}
