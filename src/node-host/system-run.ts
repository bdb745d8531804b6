import type { ApprovalDecision, ApprovalOutcome, ArgvPattern } from "../approvals/index.js";
import type { Logger } from "../logging/index.js";
import { scrubbedEnv, spawnCapture } from "../sandbox/index.js";
import { decideExec, resolveSegments, type ExecPolicy } from "../tools/index.js";

/** `system.run` parameters: a program and its arguments (never a shell line). */
export interface SystemRunParams {
  readonly argv: readonly string[];
  readonly cwd?: string;
  readonly timeoutMs?: number;
}

/** What `system.run` needs from the node host. */
export interface SystemRunDeps {
  /** The node's exec policy (its config plus its allow-always entries). */
  readonly policy: () => Promise<ExecPolicy>;
  /** Asks the gateway's approvers; resolves with their decision (expired/aborted = deny). */
  readonly approve: (req: {
    argv: readonly string[];
    cwd: string;
    reason: string;
    persistable: boolean;
  }) => Promise<ApprovalOutcome["decision"]>;
  /** Persists exact argv patterns after `allow-always`. */
  readonly remember: (patterns: readonly ArgvPattern[]) => Promise<void>;
  readonly defaultCwd: string;
  readonly env: NodeJS.ProcessEnv;
  readonly limits: { readonly timeoutMs: number; readonly maxOutputBytes: number };
  readonly log: Logger;
  readonly signal: AbortSignal;
}

/** The result sent back to the gateway. */
export type SystemRunResult =
  | { readonly ok: true; readonly payload: Record<string, unknown> }
  | { readonly ok: false; readonly error: { readonly code: string; readonly message: string } };

/**
 * Runs one command on the node under the node's exec approvals (the same rules as the exec tool):
 * the executable is resolved, shell and privilege wrappers are refused outright, an allowlisted
 * command runs, anything else waits for an approver (allow-once, allow-always — persisted here as an
 * exact argv pattern — or deny; expiry denies). The command runs without a shell, with a scrubbed
 * environment, a timeout and an output cap. Source: seeds "nodes-pipeline" (allowlist + approval).
 */
export async function systemRun(params: SystemRunParams, d: SystemRunDeps): Promise<SystemRunResult> {
  const cwd = params.cwd ?? d.defaultCwd;
  const [seg] = await resolveSegments([params.argv], cwd, d.env.PATH ?? "/usr/local/bin:/usr/bin:/bin");
  const policy = await d.policy();
  const verdict = decideExec(policy, seg ? [seg] : undefined);
  if (verdict.kind === "deny" || !seg?.path)
    return refuse(
      verdict.kind === "deny" ? verdict.reason : "exec_command_not_found",
      verdict.kind === "deny" ? verdict.detail : "command not found",
    );
  let approval: ApprovalDecision | "allowlisted" = "allowlisted";
  if (verdict.kind === "ask") {
    const decision = await d.approve({
      argv: params.argv,
      cwd,
      reason: verdict.detail,
      persistable: verdict.persistable,
    });
    d.log.info({ command: seg.path, decision }, "node exec approval");
    if (decision !== "allow-once" && decision !== "allow-always")
      return refuse("approval_denied", `not approved (${decision})`);
    if (decision === "allow-always" && verdict.persistable)
      await d.remember([{ pattern: seg.path, args: params.argv.slice(1) }]);
    approval = decision;
  }
  const timeoutMs = Math.min(params.timeoutMs ?? d.limits.timeoutMs, d.limits.timeoutMs);
  const r = await spawnCapture([seg.path, ...params.argv.slice(1)], {
    cwd,
    env: scrubbedEnv(d.env, cwd),
    timeoutMs,
    maxOutputBytes: d.limits.maxOutputBytes,
    signal: d.signal,
  });
  d.log.info({ command: seg.path, exitCode: r.exitCode, durationMs: r.durationMs, approval }, "node exec");
  return { ok: true, payload: { ...r, approval } };
}

function refuse(code: string, message: string): SystemRunResult {
  return { ok: false, error: { code, message } };
}
