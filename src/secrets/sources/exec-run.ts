import { spawn } from "node:child_process";

/** One run of a secret command. */
export interface SecretCommandRun {
  readonly command: string;
  readonly args: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  readonly stdin: string;
  readonly timeoutMs: number;
  readonly maxOutputBytes: number;
}

/** How a secret command ended. `stdout` is only set on a clean exit (code 0, within limits). */
export type SecretCommandResult =
  { readonly ok: true; readonly stdout: string } | { readonly ok: false; readonly reason: string };

/**
 * Runs `command args…` directly (argv, never a shell) in its own process group, writes `stdin`, and
 * collects stdout. The whole group is killed when `timeoutMs` passes or stdout exceeds
 * `maxOutputBytes`. Reasons never include the command's output (it may hold secrets).
 */
export function runSecretCommand(run: SecretCommandRun): Promise<SecretCommandResult> {
  return new Promise((resolve) => {
    const child = spawn(run.command, [...run.args], {
      shell: false,
      detached: true,
      env: { ...run.env },
      stdio: ["pipe", "pipe", "ignore"],
    });
    const chunks: Buffer[] = [];
    let bytes = 0;
    let failure: string | undefined;
    const kill = (why: string) => {
      failure ??= why;
      try {
        if (child.pid !== undefined) process.kill(-child.pid, "SIGKILL");
      } catch {
        child.kill("SIGKILL");
      }
    };
    const timer = setTimeout(() => kill(`timed out after ${run.timeoutMs} ms`), run.timeoutMs);
    child.stdout.on("data", (b: Buffer) => {
      bytes += b.length;
      if (bytes > run.maxOutputBytes) kill(`wrote more than ${run.maxOutputBytes} bytes`);
      else chunks.push(b);
    });
    child.stdin.on("error", () => undefined);
    child.stdin.end(run.stdin);
    child.on("error", (err: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      resolve({ ok: false, reason: `could not start (${err.code ?? "spawn failed"})` });
    });
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      if (failure) return resolve({ ok: false, reason: failure });
      if (code !== 0)
        return resolve({ ok: false, reason: code === null ? `was killed by ${signal}` : `exited with code ${code}` });
      resolve({ ok: true, stdout: Buffer.concat(chunks).toString("utf8") });
    });
  });
}
