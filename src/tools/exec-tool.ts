import path from "node:path";
import { z } from "zod";
import { HoldfastError } from "../errors/index.js";
import type { ApprovalInput, ApprovalOutcome, ApprovalTaint } from "../approvals/index.js";
import type { ExecRequest, ExecResult, ExecRunner } from "../sandbox/index.js";
import type { ExecAuditor, ExecAuditRecord } from "./exec-audit.js";
import { formatExecResult } from "./exec-format.js";
import { planExec, type ExecPlan } from "./exec-plan.js";
import type { ExecPolicy } from "./exec-policy.js";
import type { ProcessRegistry } from "./processes.js";
import { approvalTaint, type TaintMode } from "./taint.js";
import type { ToolContext, ToolDefinition, ToolResult } from "./types.js";

/** Limits of one exec. */
export interface ExecLimits {
  /** Wall-clock limit (ms). Default 120 000. */
  readonly timeoutMs: number;
  /** Cap on captured output (bytes). Default 200 000. */
  readonly maxOutputBytes: number;
}

export const DEFAULT_EXEC_LIMITS: ExecLimits = { timeoutMs: 120_000, maxOutputBytes: 200_000 };

/** Where and how a session's commands run. */
export interface ExecTarget {
  readonly where: "host" | "sandbox";
  readonly runner: ExecRunner;
  /** Host directory the command's cwd is resolved in (and confined to). */
  readonly workspaceDir: string;
  /** Host path → the path the command sees (`/workspace/...` in a sandbox). */
  readonly toRunnerPath: (hostPath: string) => string;
  /** Environment of the child (already scrubbed). */
  readonly env: Readonly<Record<string, string>>;
  readonly elevated: boolean;
  readonly limits: ExecLimits;
}

/** Asks an approver (implemented by the approvals stage). */
export interface ExecApprover {
  request(input: ApprovalInput, signal: AbortSignal): Promise<ApprovalOutcome>;
}

/** What the exec tool needs from the wiring. */
export interface ExecToolDeps {
  readonly target: (ctx: ToolContext) => Promise<ExecTarget>;
  readonly policy: (ctx: ToolContext) => Promise<ExecPolicy>;
  readonly approver: ExecApprover;
  readonly audit: ExecAuditor;
  readonly processes: ProcessRegistry;
  /** `tools.taint.mode` of an agent: under `approve`, a turn that read untrusted content asks for every command. */
  readonly taintMode?: (agentId: string) => TaintMode;
}

const ExecArgs = z.strictObject({
  command: z
    .string()
    .min(1)
    .max(16_384)
    .describe("Command line: a program and arguments; | && || ; may chain commands"),
  cwd: z.string().optional().describe("Working directory, relative to the workspace (default: the workspace)"),
  timeoutMs: z
    .number()
    .int()
    .min(100)
    .max(3_600_000)
    .optional()
    .describe("Time limit in milliseconds (cannot exceed the configured limit)"),
  background: z.boolean().optional().describe("Run in the background; poll or kill it with the process tool"),
});
export type ExecArgs = z.infer<typeof ExecArgs>;

/**
 * `exec`: runs a command where the session's policy puts it (sandbox, or host for the main session /
 * elevated mode), after the exec policy (`tools.exec.security`/`ask`, allowlist, approvals) admits it,
 * with a timeout, an output cap and a scrubbed environment; one redacted audit line per command.
 * Source: issue "Exec", reference §6.6.
 */
export function execTool(deps: ExecToolDeps): ToolDefinition<ExecArgs> {
  return {
    name: "exec",
    description:
      "Run a command in the workspace (no shell expansion: no $VARS, globs or redirection; | && || ; allowed). Returns exit code, stdout and stderr.",
    parameters: ExecArgs,
    async execute(args, ctx) {
      const started = Date.now();
      const target = await deps.target(ctx);
      const cwd = resolveCwd(target.workspaceDir, args.cwd);
      const plan = await planExec(args.command, await deps.policy(ctx), {
        cwd,
        pathVar: target.env.PATH ?? "/usr/bin:/bin",
        mapPath: target.toRunnerPath,
        workspace: target.workspaceDir,
      });
      const base = {
        agentId: ctx.agentId,
        sessionKey: ctx.sessionKey,
        ...(ctx.sender ? { sender: `${ctx.sender.channel}:${ctx.sender.id}` } : {}),
        command: plan.display,
        cwd: target.toRunnerPath(cwd),
        where: target.where,
        elevated: target.elevated,
      };
      const audit = (r: Omit<ExecAuditRecord, keyof typeof base | "durationMs">) =>
        deps.audit.record({ ...base, ...r, durationMs: Date.now() - started });
      const v = plan.verdict;
      if (v.kind === "deny") {
        audit({ decision: "refused", reason: v.reason });
        return { content: `exec refused (${v.reason}): ${v.detail}`, isError: true };
      }
      let approval: { id?: string; by?: string } = {};
      const tainted = ctx.taint?.tainted && (deps.taintMode?.(ctx.agentId) ?? "approve") === "approve";
      const taint = tainted && ctx.taint ? approvalTaint(ctx.taint) : undefined;
      if (v.kind === "ask" || taint) {
        const ask = {
          cwd: base.cwd,
          where: base.where,
          elevated: base.elevated,
          detail: taintedDetail(v.kind === "ask" ? v.detail : undefined, taint),
          persistable: v.kind === "ask" && v.persistable,
          ...(taint ? { taint } : {}),
        };
        const outcome = await requestApproval(deps.approver, plan, ask, ctx);
        if (outcome.decision !== "allow-once" && outcome.decision !== "allow-always") {
          audit({
            decision: outcome.decision === "deny" ? "denied" : outcome.decision,
            reason: `approval_${outcome.decision}`,
            ...(outcome.by ? { approvedBy: outcome.by } : {}),
          });
          const why =
            outcome.decision === "expired"
              ? "the approval request expired"
              : outcome.decision === "aborted"
                ? "the run was stopped"
                : `it was denied${outcome.by ? ` by ${outcome.by}` : ""}`;
          return { content: `exec was not approved: ${why}. Command: ${plan.display}`, isError: true };
        }
        approval = { ...(outcome.by ? { by: outcome.by } : {}) };
      }
      const reason = v.kind === "run" && !taint ? v.reason : "exec_approved";
      const limits = target.limits;
      const req: Omit<ExecRequest, "signal"> = {
        ...plan.run,
        cwd,
        env: { ...target.env, ...plan.env },
        ...(plan.privateHome ? { privateHome: true } : {}),
        timeoutMs: Math.min(args.timeoutMs ?? limits.timeoutMs, limits.timeoutMs),
        maxOutputBytes: limits.maxOutputBytes,
      };
      const done = (r: ExecResult, background: boolean) =>
        audit({
          decision: "ran",
          reason,
          ...(approval.by ? { approvedBy: approval.by } : {}),
          exitCode: r.exitCode,
          timedOut: r.timedOut,
          ...(background ? { background } : {}),
        });
      if (args.background)
        return startBackground(deps.processes, ctx, { plan, runner: target.runner, req }, (r) => done(r, true));
      const result = await target.runner.run({ ...req, signal: ctx.signal }).catch((err: unknown) => {
        audit({ decision: "failed", reason: "exec_runner_failed" });
        throw err;
      });
      done(result, false);
      return {
        content: `${target.where === "sandbox" ? "[sandbox] " : target.elevated ? "[host, elevated] " : ""}${formatExecResult(result)}`,
        isError: result.exitCode !== 0,
      };
    },
  };
}

/** What an approval request shows besides the plan: where it runs, why it asks, whether allow-always can be kept. */
interface ApprovalAsk {
  readonly cwd: string;
  readonly where: "host" | "sandbox";
  /** Elevated mode moved the command to the host. */
  readonly elevated: boolean;
  readonly detail: string;
  readonly persistable: boolean;
  readonly taint?: ApprovalTaint;
}

/** Why a tainted turn's command asks, ahead of the policy's own reason when it has one. */
function taintedDetail(policy: string | undefined, taint: ApprovalTaint | undefined): string {
  if (!taint) return policy ?? "";
  return `${taint.summary}; exec needs an owner approval after untrusted content${policy ? ` (and ${policy})` : ", even allowlisted"}`;
}

async function requestApproval(
  approver: ExecApprover,
  plan: ExecPlan,
  ask: ApprovalAsk,
  ctx: ToolContext,
): Promise<ApprovalOutcome> {
  const segments = plan.segments.length > 0 ? plan.segments : [[plan.display]];
  return approver.request(
    {
      argv: segments[0] ?? [],
      segments,
      command: plan.display,
      cwd: ask.cwd,
      host: ask.where,
      ...(ask.elevated ? { elevated: true } : {}),
      agentId: ctx.agentId,
      sessionKey: ctx.sessionKey,
      reason: ask.detail,
      persistable: ask.persistable && plan.patterns.length > 0,
      patterns: plan.patterns,
      ...(ask.taint ? { taint: ask.taint } : {}),
    },
    ctx.signal,
  );
}

function startBackground(
  processes: ProcessRegistry,
  ctx: ToolContext,
  { plan, runner, req }: { plan: ExecPlan; runner: ExecRunner; req: Omit<ExecRequest, "signal"> },
  onDone: (r: ExecResult) => void,
): ToolResult {
  const id = processes.start(ctx.sessionKey, plan.display, (signal) => runner.run({ ...req, signal }), onDone);
  if (!id)
    return {
      content: "exec refused: too many background processes in this session; poll or kill one with the process tool",
      isError: true,
    };
  return { content: `Started background process ${id}. Use the process tool (action poll, id ${id}) for its output.` };
}

/**
 * The cwd argument as a host path inside the workspace, by its words only: the gateway never looks
 * at (or follows) a path in the workspace; whether it exists is found inside the jail.
 * @throws HoldfastError HF_TOOL_PATH_OUTSIDE when it leaves the workspace.
 */
function resolveCwd(workspaceDir: string, cwd: string | undefined): string {
  const p = path.resolve(workspaceDir, cwd ?? ".");
  const rel = path.relative(workspaceDir, p);
  if (cwd?.includes("\0") || rel.startsWith("..") || path.isAbsolute(rel))
    throw new HoldfastError("HF_TOOL_PATH_OUTSIDE", `cwd ${(cwd ?? ".").slice(0, 200)} is outside the workspace`);
  return p;
}
