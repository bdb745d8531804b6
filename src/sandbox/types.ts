/** One command to run. Exactly one of `argv` or `shellCommand` is set. */
export interface ExecRequest {
  /** Program and arguments, run without a shell. */
  readonly argv?: readonly string[];
  /** A command line run by `/bin/sh -c` (only after the exec policy has parsed and admitted it). */
  readonly shellCommand?: string;
  /** Working directory (a host path for the host runner; the sandbox maps it). */
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

/** Something that runs commands: the host, or a sandbox backend. */
export interface ExecRunner {
  readonly kind: "host" | "bubblewrap" | "docker";
  run(req: ExecRequest): Promise<ExecResult>;
}
