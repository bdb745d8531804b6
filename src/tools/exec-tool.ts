import path from "node:path";
import { z } from "zod";
import { scrubbedEnv, type ExecResult, type ExecRunner } from "../sandbox/index.js";
import type { ToolContext, ToolDefinition } from "./types.js";

/** Limits of the exec tool. */
export interface ExecLimits {
  /** Default wall-clock limit per command (ms). Default 120 000. */
  readonly timeoutMs: number;
  /** Cap on captured output (bytes). Default 200 000. */
  readonly maxOutputBytes: number;
}

export const DEFAULT_EXEC_LIMITS: ExecLimits = { timeoutMs: 120_000, maxOutputBytes: 200_000 };

const ExecArgs = z.strictObject({
  command: z.string().min(1).max(16_384).describe("Command line to run"),
  cwd: z.string().optional().describe("Working directory, relative to the workspace (default: the workspace)"),
  timeoutMs: z.number().int().min(100).max(3_600_000).optional().describe("Time limit in milliseconds"),
});
export type ExecArgs = z.infer<typeof ExecArgs>;

/**
 * `exec`: runs a command with the workspace as working directory, a scrubbed environment, a timeout
 * and an output cap. `runnerFor` picks where it runs (host or sandbox) for the context.
 */
export function execTool(runnerFor: (ctx: ToolContext) => ExecRunner, limits: ExecLimits = DEFAULT_EXEC_LIMITS): ToolDefinition<ExecArgs> {
  return {
    name: "exec",
    description: "Run a shell command in the workspace. Returns exit code, stdout and stderr.",
    parameters: ExecArgs,
    async execute(args, ctx) {
      const cwd = path.resolve(ctx.workspaceDir, args.cwd ?? ".");
      const runner = runnerFor(ctx);
      const result = await runner.run({
        shellCommand: args.command,
        cwd,
        env: scrubbedEnv(process.env, ctx.workspaceDir),
        timeoutMs: Math.min(args.timeoutMs ?? limits.timeoutMs, limits.timeoutMs),
        maxOutputBytes: limits.maxOutputBytes,
        signal: ctx.signal,
      });
      return { content: formatExecResult(result), isError: result.exitCode !== 0 };
    },
  };
}

/** Renders an exec result for the model. */
export function formatExecResult(r: ExecResult): string {
  const head = r.timedOut ? `timed out after ${r.durationMs} ms` : r.exitCode === null ? `killed by ${r.signal}` : `exit code ${r.exitCode}`;
  const parts = [head];
  if (r.stdout) parts.push(`stdout:\n${r.stdout}`);
  if (r.stderr) parts.push(`stderr:\n${r.stderr}`);
  if (r.truncated) parts.push("[output truncated]");
  return parts.join("\n");
}
