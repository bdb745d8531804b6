import { spawn, type ChildProcess } from "node:child_process";
import { HoldfastError } from "../../errors/index.js";
import type { FileOpsRequest, FileOpsResponse } from "../fileops/protocol.js";
import type { ExecRequest, ExecResult } from "../types.js";
import type { AgentReply, AgentRequest } from "./protocol.js";

/** How long an agent with nothing to do keeps its jail (ms). */
export const AGENT_IDLE_MS = 5 * 60_000;
/** Extra time the gateway gives a command over its own timeout before it stops the whole jail (ms). */
const GRACE_MS = 5_000;

type Pending =
  | { readonly kind: "exec"; readonly resolve: (r: ExecResult) => void; readonly started: number }
  | { readonly kind: "files"; readonly resolve: (r: FileOpsResponse) => void; readonly reject: (e: unknown) => void };

/**
 * The gateway's side of one jail agent: the long-lived process of one session's bubblewrap jail.
 * `argv` starts the jail with the agent in it (the backend builds it). Commands and file operations
 * are sent as JSON lines; replies are matched by id. When the agent ends (idle, stopped, killed by
 * the session's memory limit), running commands end as killed and file operations fail; the next
 * call starts a new jail. Idle agents stop after {@link AGENT_IDLE_MS}.
 */
export class JailAgent {
  private readonly child: ChildProcess;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private buffer = "";
  private stderr = "";
  private idleTimer: NodeJS.Timeout | undefined;
  private ended = false;

  constructor(
    argv: readonly string[],
    private readonly opts: { readonly idleMs?: number; readonly onEnd?: () => void } = {},
  ) {
    const [cmd, ...args] = argv;
    this.child = spawn(cmd as string, args, {
      cwd: "/",
      env: { PATH: "/usr/bin:/bin" },
      detached: true,
      stdio: ["pipe", "pipe", "pipe"],
    });
    // An idle jail never keeps the gateway process alive; pending calls do (their guard timers).
    this.child.unref();
    for (const s of [this.child.stdin, this.child.stdout, this.child.stderr])
      (s as unknown as { unref?: () => void } | null)?.unref?.();
    this.child.stdout?.setEncoding("utf8");
    this.child.stdout?.on("data", (chunk: string) => this.onData(chunk));
    this.child.stderr?.on("data", (b: Buffer) => {
      if (this.stderr.length < 4096) this.stderr += b.toString("utf8");
    });
    this.child.stdin?.on("error", () => undefined);
    this.child.on("error", (err) => this.end(err.message));
    this.child.on("close", (code, signal) => this.end(`the jail ended (${signal ?? `exit ${code}`})`));
    this.armIdle();
  }

  /** Whether the agent can take work. */
  get alive(): boolean {
    return !this.ended;
  }

  /** Runs one command in the jail; resolves like {@link ExecResult} (killed when the jail ends first). */
  run(req: ExecRequest, prefix: readonly string[]): Promise<ExecResult> {
    const id = this.nextId++;
    const argv = req.argv ? [...req.argv] : ["/bin/sh", "-c", req.shellCommand ?? ""];
    const started = Date.now();
    return new Promise<ExecResult>((resolve) => {
      const guard = setTimeout(() => this.stop(), req.timeoutMs + GRACE_MS);
      const onAbort = () => this.send({ t: "kill", id });
      req.signal.addEventListener("abort", onAbort, { once: true });
      this.pending.set(id, {
        kind: "exec",
        started,
        resolve: (r) => {
          clearTimeout(guard);
          req.signal.removeEventListener("abort", onAbort);
          resolve(r);
        },
      });
      this.send({
        t: "exec",
        id,
        argv,
        prefix,
        cwd: req.cwd,
        env: req.env,
        timeoutMs: req.timeoutMs,
        maxOutputBytes: req.maxOutputBytes,
        ...(req.stdin ? { stdin: Buffer.from(req.stdin).toString("base64") } : {}),
        ...(req.privateHome ? { privateHome: true } : {}),
      });
      if (req.signal.aborted) onAbort();
    });
  }

  /** Performs file operations in the jail. @throws HoldfastError HF_TOOL_FAILED when the jail ends first. */
  files(request: FileOpsRequest, timeoutMs: number): Promise<FileOpsResponse> {
    const id = this.nextId++;
    return new Promise<FileOpsResponse>((resolve, reject) => {
      const guard = setTimeout(() => this.stop(), timeoutMs);
      const done =
        <T>(f: (v: T) => void) =>
        (v: T) => {
          clearTimeout(guard);
          f(v);
        };
      this.pending.set(id, { kind: "files", resolve: done(resolve), reject: done(reject) });
      this.send({ t: "files", id, request });
    });
  }

  /** Stops the jail and resolves once its process tree is gone. */
  stopAndWait(): Promise<void> {
    if (this.ended) return Promise.resolve();
    const gone = new Promise<void>((resolve) => this.child.once("close", () => resolve()));
    this.stop();
    return gone;
  }

  /** Stops the jail (all its processes). */
  stop(): void {
    if (this.child.pid === undefined || this.ended) return;
    try {
      process.kill(-this.child.pid, "SIGKILL");
    } catch {
      this.child.kill("SIGKILL");
    }
  }

  private send(msg: AgentRequest): void {
    if (this.ended) return void this.failOne(msg);
    clearTimeout(this.idleTimer);
    this.child.stdin?.write(`${JSON.stringify(msg)}\n`);
  }

  private onData(chunk: string): void {
    this.buffer += chunk;
    for (let nl = this.buffer.indexOf("\n"); nl >= 0; nl = this.buffer.indexOf("\n")) {
      const line = this.buffer.slice(0, nl);
      this.buffer = this.buffer.slice(nl + 1);
      this.onReply(line);
    }
  }

  private onReply(line: string): void {
    let reply: AgentReply;
    try {
      reply = JSON.parse(line) as AgentReply;
    } catch {
      return;
    }
    if (reply.t === "ready") return;
    const p = this.pending.get(reply.id);
    if (!p) return;
    this.pending.delete(reply.id);
    if (p.kind === "exec")
      p.resolve(reply.t === "exec" ? reply.result : killed(p.started, reply.t === "error" ? reply.message : "?"));
    else if (reply.t === "files") p.resolve(reply.response);
    else p.reject(failure(reply.t === "error" ? reply.message : "unexpected reply"));
    if (this.pending.size === 0) this.armIdle();
  }

  private failOne(msg: AgentRequest): void {
    const p = this.pending.get((msg as { id: number }).id);
    if (!p) return;
    this.pending.delete((msg as { id: number }).id);
    if (p.kind === "exec") p.resolve(killed(p.started, this.reason()));
    else p.reject(failure(this.reason()));
  }

  private reason(): string {
    const first = this.stderr.trim().split("\n")[0]?.slice(0, 300);
    return first ? `the jail ended: ${first}` : "the jail ended";
  }

  private end(why: string): void {
    if (this.ended) return;
    this.ended = true;
    clearTimeout(this.idleTimer);
    if (!this.stderr) this.stderr = why;
    for (const [id, p] of this.pending) {
      this.pending.delete(id);
      if (p.kind === "exec") p.resolve(killed(p.started, this.reason()));
      else p.reject(failure(this.reason()));
    }
    this.opts.onEnd?.();
  }

  private armIdle(): void {
    clearTimeout(this.idleTimer);
    this.idleTimer = setTimeout(() => this.child.stdin?.end(), this.opts.idleMs ?? AGENT_IDLE_MS);
    this.idleTimer.unref();
  }
}

function killed(started: number, why: string): ExecResult {
  return {
    exitCode: null,
    signal: "SIGKILL",
    stdout: "",
    stderr: `${why}\n`,
    truncated: false,
    timedOut: false,
    durationMs: Date.now() - started,
  };
}

function failure(why: string): HoldfastError {
  return new HoldfastError("HF_TOOL_FAILED", `the file operation failed in the jail: ${why}`);
}
