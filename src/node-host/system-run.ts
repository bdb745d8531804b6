import type { ArgvPattern } from "../approvals/index.js";
import type { Logger } from "../logging/index.js";
import { APPROVAL_REQUIRED } from "../nodes/index.js";
import { scrubbedEnv, spawnCapture } from "../sandbox/index.js";
import { decideExec, resolveSegments, type ExecPolicy } from "../tools/index.js";

/** `system.run` parameters: a program and its arguments (never a shell line). */
export interface SystemRunParams {
  readonly argv: readonly string[];
  readonly cwd?: string;
  readonly timeoutMs?: number;
  /**
   * The decision of a gateway approver for this invocation (reference `approvalDecision`, sent
   * after this node answered "approval required"): lets a miss run once, or always.
   */
  readonly approvalDecision?: "allow-once" | "allow-always";
}

/** What `system.run` needs from the node host. */
export interface SystemRunDeps {
  /** The node's exec policy (its config plus its allow-always entries). */
  readonly policy: () => Promise<ExecPolicy>;
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
  | {
      readonly ok: false;
      readonly error: { readonly code: string; readonly message: string; readonly details?: Record<string, unknown> };
    };

/**
 * Runs one command on the node under the node's exec approvals (the same rules as the exec tool):
 * the executable is resolved, shell and privilege wrappers are refused outright, an allowlisted
 * command runs; anything else is answered `SYSTEM_RUN_DENIED: approval required` (with the reason and
 * whether allow-always may be offered), and runs only when the gateway invokes it again with an
 * approver's `approvalDecision` (allow-always is persisted here as an exact argv pattern). The
 * command runs without a shell, with a scrubbed environment, a timeout and an output cap. Source:
 * seeds "nodes-pipeline" (allowlist + approval); reference node `system.run` approval contract.
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
  let approval: "allow-once" | "allow-always" | "allowlisted" = "allowlisted";
  if (verdict.kind === "ask") {
    const decision = params.approvalDecision;
    if (!decision)
      return {
        ok: false,
        error: { ...APPROVAL_REQUIRED, details: { reason: verdict.detail, persistable: verdict.persistable } },
      };
    d.log.info({ command: seg.path, decision }, "node exec approval");
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
  return { ok: true, payload: { ...r, success: r.exitCode === 0, error: null, approval } };
}

function refuse(code: string, message: string): SystemRunResult {
  return { ok: false, error: { code, message } };
}
