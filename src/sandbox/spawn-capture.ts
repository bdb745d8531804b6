import { spawn } from "node:child_process";
import path from "node:path";
import type { ExecRequest, ExecResult } from "./types.js";

/** How long output pipes may stay open after the command's main process exited (ms). */
const LINGER_MS = 2_000;

/**
 * Spawns `argv` with the request's cwd/env/limits and captures output up to `maxOutputBytes`.
 * The command runs in its own process group; when its main process exits, whatever it left in
 * that group (`cmd &`) is killed, and a straggler that left the group but still holds the output
 * pipes is given {@link LINGER_MS} before the result is returned without it. Shared by the host runner, the sandbox backends (which pass their wrapper argv) and the jail
 * agent (which runs it inside the jail; Node built-ins only).
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
    let done = false;
    let linger: NodeJS.Timeout | undefined;
    const finish = (exitCode: number | null, signal: string | null, spawnError?: Error) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      clearTimeout(linger);
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
    child.on("exit", (code, sig) => {
      kill();
      linger = setTimeout(() => {
        child.stdout?.destroy();
        child.stderr?.destroy();
        finish(code, sig);
      }, LINGER_MS);
    });
    child.on("close", (code, sig) => finish(code, sig));
  });
}

/** HOME and the XDG directories under `home`. */
export function homeEnv(home: string): Record<string, string> {
  return {
    HOME: home,
    XDG_CONFIG_HOME: path.join(home, ".config"),
    XDG_DATA_HOME: path.join(home, ".local", "share"),
    XDG_CACHE_HOME: path.join(home, ".cache"),
  };
}
