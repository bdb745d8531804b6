import type { ExecResult } from "../sandbox/index.js";

/** Renders an exec result for the model: status line, stdout, stderr, truncation note. */
export function formatExecResult(r: ExecResult): string {
  const head = r.timedOut
    ? `timed out after ${r.durationMs} ms`
    : r.exitCode === null
      ? `killed by ${r.signal}`
      : `exit code ${r.exitCode}`;
  const parts = [head];
  if (r.stdout) parts.push(`stdout:\n${r.stdout}`);
  if (r.stderr) parts.push(`stderr:\n${r.stderr}`);
  if (r.truncated) parts.push("[output truncated]");
  return parts.join("\n");
}
