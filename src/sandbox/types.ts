import type { FileOpResult, FileOpsRequest } from "./fileops/protocol.js";

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
  /** Bytes written to the command's stdin (then closed); without it stdin is /dev/null. */
  readonly stdin?: Uint8Array;
  /**
   * Give the command a fresh, empty HOME (and XDG dirs) instead of `env.HOME`, so no dotfile from
   * the workspace is read (the neutralisation of approval-free commands).
   */
  readonly privateHome?: boolean;
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

/**
 * Resource limits. With session cgroups, `memoryMb`, `pids` and `cpus` hold for the whole session
 * (every process of every tool call together); `cpuSeconds` and `fileSizeMb` are per process, and
 * without cgroups `memoryMb` and `pids` fall back to per-process limits (RLIMIT_DATA, RLIMIT_NPROC).
 */
export interface SandboxLimits {
  /** Data segment limit (RLIMIT_DATA / docker Memory), MiB. */
  readonly memoryMb: number;
  /** Processes (RLIMIT_NPROC / docker PidsLimit). */
  readonly pids: number;
  /** CPU time per process (RLIMIT_CPU), seconds. */
  readonly cpuSeconds: number;
  /** Largest file a command may write (RLIMIT_FSIZE), MiB. */
  readonly fileSizeMb: number;
  /** CPU bandwidth of the whole session in cores (cgroup `cpu.max`); unset = unlimited. */
  readonly cpus?: number;
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
  /** Where the workspace appears inside (default {@link SANDBOX_WORKDIR}; the host jail uses its host path). */
  readonly workspaceAt?: string;
  /** Further read-only mounts: inbound media at `/inbox`, the file helper under `/run/holdfast`. */
  readonly readOnlyMounts?: readonly ReadOnlyMount[];
  /**
   * `sandbox` (default): own hostname, minimal /etc. `host`: the host jail of an unsandboxed session
   * (the host's hostname, /etc identity files such as passwd and group).
   */
  readonly profile?: "sandbox" | "host";
  /** The session's cgroup: every process of the command joins it first (aggregate limits). */
  readonly cgroup?: SessionCgroup;
}

/** A host file or directory mounted read-only at `at` inside the jail. */
export interface ReadOnlyMount {
  readonly source: string;
  readonly at: string;
}

/** The session cgroup a command joins: the `cgroup.procs` files, and which limits it enforces. */
export interface SessionCgroup {
  readonly procs: readonly string[];
  /** Controllers whose limits the cgroup enforces (a `pids` cgroup replaces the per-user process limit). */
  readonly controllers: readonly ("memory" | "pids" | "cpu")[];
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
  /**
   * Performs file operations inside the jail (paths are the jail's), returning one result per op.
   * @throws HoldfastError HF_TOOL_FAILED when the jail or its helper cannot run.
   */
  files(spec: SandboxSpec, request: Omit<FileOpsRequest, "v">, signal: AbortSignal): Promise<FileOpResult[]>;
  /** Stops long-lived jails (shutdown). */
  close?(): Promise<void>;
  /** Stops the long-lived jails that mount `workspaceDir` (before it is reset or removed). */
  stopWorkspace?(workspaceDir: string): Promise<void>;
}
