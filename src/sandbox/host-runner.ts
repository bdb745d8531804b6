import { spawn } from "node:child_process";
import path from "node:path";
import type { ExecRequest, ExecResult, ExecRunner } from "./types.js";

/**
 * Runs commands directly on the host (no isolation) in their own process group, so a timeout or an
 * abort kills the whole tree. Used for the main session when the sandbox is off, and for elevated
 * exec.
 */
export const hostRunner: ExecRunner = {
  kind: "host",
  run: (req) => spawnCapture(req.argv ? [...req.argv] : ["/bin/sh", "-c", req.shellCommand ?? ""], req),
};

/**
 * A host runner that hides the holdfast state dir (config, credentials, transcripts) from the command:
 * bubblewrap gives it a private mount namespace where `stateDir` is an empty tmpfs and only
 * `workspaceDir` (when it lies inside the state dir) is bound back. Everything else is the host as is
 * (this is the host, not a sandbox). Source: issue "the state dir is never readable by tools".
 */
export function maskedHostRunner(bwrap: string, stateDir: string, workspaceDir: string): ExecRunner {
  return {
    kind: "host",
    run(req) {
      const inside =
        !path.relative(stateDir, workspaceDir).startsWith("..") &&
        !path.isAbsolute(path.relative(stateDir, workspaceDir));
      const user = process.getuid?.() === 0 ? [] : ["--unshare-user"];
      const mask = [
        bwrap,
        ...user,
        "--dev-bind",
        "/",
        "/",
        "--tmpfs",
        stateDir,
        ...(inside ? ["--bind", workspaceDir, workspaceDir] : []),
        "--die-with-parent",
        "--chdir",
        req.cwd,
        "--",
      ];
      const command = req.argv ? [...req.argv] : ["/bin/sh", "-c", req.shellCommand ?? ""];
      return spawnCapture([...mask, ...command], req);
    },
  };
}

/**
 * Spawns `argv` with the request's cwd/env/limits and captures output up to `maxOutputBytes`.
 * Shared by the host runner and the sandbox backends (which pass their wrapper argv).
 */
export function spawnCapture(
  argv: string[],
  req: Pick<ExecRequest, "cwd" | "env" | "timeoutMs" | "maxOutputBytes" | "signal" | "stdin">,
): Promise<ExecResult> {
  const started = Date.now();
  return new Promise((resolve) => {
    const [cmd, ...args] = argv;
    const child = spawn(cmd as string, args, {
      cwd: req.cwd,
      env: { ...req.env },
      detached: true,
      stdio: [req.stdin ? "pipe" : "ignore", "pipe", "pipe"],
    });
    if (req.stdin && child.stdin) {
      child.stdin.on("error", () => undefined);
      child.stdin.end(req.stdin);
    }
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let bytes = 0;
    let truncated = false;
    let timedOut = false;
    const take = (sink: Buffer[]) => (chunk: Buffer) => {
      const room = req.maxOutputBytes - bytes;
      if (room <= 0) {
        truncated = true;
        return;
      }
      const part = chunk.length > room ? chunk.subarray(0, room) : chunk;
      if (part.length < chunk.length) truncated = true;
      bytes += part.length;
      sink.push(part);
    };
    child.stdout?.on("data", take(out));
    child.stderr?.on("data", take(err));
    const kill = () => {
      try {
        if (child.pid !== undefined) process.kill(-child.pid, "SIGKILL");
      } catch {
        child.kill("SIGKILL");
      }
    };
    const timer = setTimeout(() => {
      timedOut = true;
      kill();
    }, req.timeoutMs);
    const onAbort = () => kill();
    req.signal.addEventListener("abort", onAbort, { once: true });
    const finish = (exitCode: number | null, signal: string | null, spawnError?: Error) => {
      clearTimeout(timer);
      req.signal.removeEventListener("abort", onAbort);
      const stderr = Buffer.concat(err).toString("utf8") + (spawnError ? `${spawnError.message}\n` : "");
      resolve({
        exitCode,
        signal,
        stdout: Buffer.concat(out).toString("utf8"),
        stderr,
        truncated,
        timedOut,
        durationMs: Date.now() - started,
      });
    };
    child.on("error", (e) => finish(127, null, e));
    child.on("close", (code, sig) => finish(code, sig));
  });
}
