/** One command to run. Exactly one of `argv` or `shellCommand` is set. */
export interface ExecRequest {
  /** Program and arguments, run without a shell. */
  readonly argv?: readonly string[];
  /** A command line run by `/bin/sh -c` (only after the exec policy has parsed and admitted it). */
  readonly shellCommand?: string;
  /** Working directory (a host path for host runners; the sandbox runner maps it to `/workspace/...`). */
  readonly cwd: string;
  /** The complete child environment (already scrubbed of secrets). */
  readonly env: Readonly<Record<string, string>>;
  /** Wall-clock limit; the whole process group is killed when it passes. */
  readonly timeoutMs: number;
  /** Cap on captured stdout+stderr bytes; output beyond it is dropped and `truncated` set. */
  readonly maxOutputBytes: number;
  readonly signal: AbortSignal;
}

/** How a command ended. `exitCode` is null when it was killed by a signal. */
export interface ExecResult {
  readonly exitCode: number | null;
  readonly signal: string | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly truncated: boolean;
  readonly timedOut: boolean;
  readonly durationMs: number;
}

/** Something that runs commands: the host, or a sandbox backend bound to one sandbox. */
export interface ExecRunner {
  readonly kind: "host" | "bubblewrap" | "docker";
  run(req: ExecRequest): Promise<ExecResult>;
}

/** Where the sandbox mounts things, as the sandboxed command sees them. Source: reference §7.3. */
export const SANDBOX_WORKDIR = "/workspace";
export const SANDBOX_AGENT_DIR = "/agent";

/** Resource limits of one sandboxed command. */
export interface SandboxLimits {
  /** Data segment limit (RLIMIT_DATA / docker Memory), MiB. */
  readonly memoryMb: number;
  /** Processes (RLIMIT_NPROC / docker PidsLimit). */
  readonly pids: number;
  /** CPU time per process (RLIMIT_CPU), seconds. */
  readonly cpuSeconds: number;
  /** Largest file a command may write (RLIMIT_FSIZE), MiB. */
  readonly fileSizeMb: number;
}

/** One sandbox: what is mounted and how it is limited. */
export interface SandboxSpec {
  /** `session:<key>`, `agent:<id>` or `shared`. */
  readonly scopeKey: string;
  /** Host directory mounted read-write at {@link SANDBOX_WORKDIR}. */
  readonly workspaceDir: string;
  /** `workspaceAccess: "ro"`: the agent workspace, mounted read-only at {@link SANDBOX_AGENT_DIR}. */
  readonly agentWorkspaceDir?: string;
  /** `none` (default): no network at all; `host`: the host's network. */
  readonly network: "none" | "host";
  readonly limits: SandboxLimits;
  /** The unprivileged user the command runs as (the owner of `workspaceDir`). */
  readonly user: { readonly uid: number; readonly gid: number };
}

/** One command as a backend starts it: the argv, its working directory inside the sandbox, its whole environment. */
export interface SandboxCommand {
  readonly command: readonly string[];
  readonly cwd: string;
  readonly env: Readonly<Record<string, string>>;
}

/** Whether a backend can run commands now; `reason` is shown to the user when not. */
export type Availability = { readonly ok: true } | { readonly ok: false; readonly reason: string };

/** A sandbox backend (bubblewrap, docker). `req.cwd` passed to `run` is an in-sandbox path. */
export interface SandboxBackend {
  readonly kind: "bubblewrap" | "docker";
  availability(): Promise<Availability>;
  run(spec: SandboxSpec, req: ExecRequest): Promise<ExecResult>;
}
