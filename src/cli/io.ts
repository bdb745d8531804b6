/** Where CLI output goes (tests capture it). */
export interface CliIo {
  out(line: string): void;
  err(line: string): void;
  /** Writes text to stdout without a newline, when stdout is a terminal (streamed replies); else absent. */
  readonly stream?: (text: string) => void;
  /** Aborted when the reader of stdout went away (`holdfast logs --follow | head`): stop producing output. */
  readonly closed?: AbortSignal;
}

const stdoutGone = new AbortController();
let stderrGone = false;
let guarded = false;

/**
 * Makes stdout and stderr safe for pipes: when the reader closes early (`holdfast doctor | head -1`)
 * the write fails with EPIPE; instead of an unhandled error and a stack trace, later output is dropped
 * and {@link CliIo.closed} aborts, so the command ends quietly with its own exit code.
 */
export function guardStdio(): void {
  if (guarded) return;
  guarded = true;
  process.stdout.on("error", (err: NodeJS.ErrnoException) => {
    if (err.code === "EPIPE" || err.code === "ERR_STREAM_DESTROYED") return stdoutGone.abort();
    throw err;
  });
  process.stderr.on("error", (err: NodeJS.ErrnoException) => {
    if (err.code === "EPIPE" || err.code === "ERR_STREAM_DESTROYED") return void (stderrGone = true);
    throw err;
  });
}

/** stdout / stderr, EPIPE-safe (see {@link guardStdio}). */
export const processIo: CliIo = {
  out: (line) => {
    if (!stdoutGone.signal.aborted && process.stdout.writable) process.stdout.write(`${line}\n`);
  },
  err: (line) => {
    if (!stderrGone && process.stderr.writable) process.stderr.write(`${line}\n`);
  },
  closed: stdoutGone.signal,
  ...(process.stdout.isTTY
    ? {
        stream: (text: string) => {
          if (!stdoutGone.signal.aborted) process.stdout.write(text);
        },
      }
    : {}),
};

/** Prints `value` as pretty JSON. */
export function printJson(io: CliIo, value: unknown): void {
  io.out(JSON.stringify(value, null, 2));
}
