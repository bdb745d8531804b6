import { randomBytes } from "node:crypto";
import { z } from "zod";
import type { ExecResult } from "../sandbox/index.js";
import { formatExecResult } from "./exec-format.js";
import type { ToolDefinition } from "./types.js";
import { HoldfastError } from "../errors/index.js";

interface Proc {
  readonly id: string;
  readonly sessionKey: string;
  readonly command: string;
  readonly startedAt: number;
  readonly controller: AbortController;
  result?: ExecResult;
}

/** Most background commands one session may have running at once. */
export const MAX_RUNNING_PER_SESSION = 4;
/** Finished processes kept for `poll`, per session. */
const KEEP_FINISHED = 20;

/**
 * Background exec processes (`exec` with `background: true`), per session: a session sees and
 * controls only its own. Each runs under the same limits as a foreground exec (timeout, output cap,
 * sandbox); {@link stopAll} kills them on shutdown.
 */
export class ProcessRegistry {
  private readonly procs = new Map<string, Proc>();

  constructor(private readonly now: () => number = Date.now) {}

  /**
   * Starts `run` in the background.
   * @returns the process id, or undefined when the session already runs {@link MAX_RUNNING_PER_SESSION}.
   */
  start(
    sessionKey: string,
    command: string,
    run: (signal: AbortSignal) => Promise<ExecResult>,
    onDone: (r: ExecResult) => void,
  ): string | undefined {
    const running = [...this.procs.values()].filter((p) => p.sessionKey === sessionKey && !p.result);
    if (running.length >= MAX_RUNNING_PER_SESSION) return undefined;
    const proc: Proc = {
      id: `p${randomBytes(4).toString("hex")}`,
      sessionKey,
      command,
      startedAt: this.now(),
      controller: new AbortController(),
    };
    this.procs.set(proc.id, proc);
    const started = this.now();
    void run(proc.controller.signal)
      .catch((err: unknown): ExecResult => ({
        exitCode: null,
        signal: null,
        stdout: "",
        stderr: `could not run: ${err instanceof Error ? err.message : String(err)}`,
        truncated: false,
        timedOut: false,
        durationMs: this.now() - started,
      }))
      .then((r) => {
        proc.result = r;
        onDone(r);
        this.trim(sessionKey);
      });
    return proc.id;
  }

  list(sessionKey: string): { id: string; command: string; status: string; startedAt: number }[] {
    return [...this.procs.values()]
      .filter((p) => p.sessionKey === sessionKey)
      .map((p) => ({
        id: p.id,
        command: p.command,
        status: p.result ? `exited ${p.result.exitCode ?? p.result.signal}` : "running",
        startedAt: p.startedAt,
      }));
  }

  get(sessionKey: string, id: string): Proc | undefined {
    const p = this.procs.get(id);
    return p && p.sessionKey === sessionKey ? p : undefined;
  }

  /** Aborts every running process (the runners kill their process groups or containers). */
  stopAll(): void {
    for (const p of this.procs.values())
      if (!p.result) p.controller.abort(new HoldfastError("HF_SHUTTING_DOWN", "shutdown"));
  }

  private trim(sessionKey: string): void {
    const done = [...this.procs.values()].filter((p) => p.sessionKey === sessionKey && p.result);
    for (const p of done.slice(0, Math.max(0, done.length - KEEP_FINISHED))) this.procs.delete(p.id);
  }
}

const ProcessArgs = z.strictObject({
  action: z
    .enum(["list", "poll", "kill"])
    .describe("list: this session's processes; poll: status and output of one; kill: stop one"),
  id: z.string().max(32).optional().describe("Process id (from exec with background: true)"),
});

/** `process`: lists, polls and kills the session's background exec processes. */
export function processTool(registry: ProcessRegistry): ToolDefinition<z.infer<typeof ProcessArgs>> {
  return {
    name: "process",
    description: "Manage background commands started by exec with background: true (list, poll, kill).",
    parameters: ProcessArgs,
    async execute(args, ctx) {
      if (args.action === "list") {
        const all = registry.list(ctx.sessionKey);
        return {
          content:
            all.length === 0
              ? "No background processes."
              : all.map((p) => `${p.id}  ${p.status}  ${p.command}`).join("\n"),
        };
      }
      const p = args.id ? registry.get(ctx.sessionKey, args.id) : undefined;
      if (!p) return { content: `No background process "${args.id ?? ""}" in this session.`, isError: true };
      if (args.action === "kill") {
        if (p.result) return { content: `${p.id} already ended.` };
        p.controller.abort(new HoldfastError("HF_TOOL_FAILED", "killed by the process tool"));
        return { content: `Killed ${p.id}.` };
      }
      return {
        content: p.result ? `${p.id} ended: ${formatExecResult(p.result)}` : `${p.id} is still running (${p.command}).`,
      };
    },
  };
}
