import { openSync, closeSync, fchmodSync } from "node:fs";
import path from "node:path";
import { mkdirSync, chmodSync, statSync } from "node:fs";
import pino, { type Logger, type LevelWithSilent, type DestinationStream } from "pino";

export type { Logger } from "pino";

/** Options for {@link createLogger}. */
export interface LoggerOptions {
  /** Minimum level for the file and (by default) the console. Default "info". */
  readonly level?: LevelWithSilent;
  /** Console level; default = `level`. "silent" turns the console off. */
  readonly consoleLevel?: LevelWithSilent;
  /** Log file path; the directory is created 700 and the file 600. Omit for no file. */
  readonly file?: string;
  /** Pretty console output (default: when stderr is a TTY). */
  readonly pretty?: boolean;
  /** Extra redaction of rendered log lines (applied to every line before it is written). */
  readonly redactLine?: (line: string) => string;
}

/**
 * Creates the process logger (pino). Lines go to stderr (pretty in a TTY) and, when `file` is set, to
 * that file as JSON lines. Message content and tool arguments must never be passed to it at info or
 * above; callers log ids, sizes and reason codes.
 */
export function createLogger(opts: LoggerOptions = {}): Logger {
  const level = opts.level ?? "info";
  const consoleLevel = opts.consoleLevel ?? level;
  const streams: { level: LevelWithSilent; stream: DestinationStream }[] = [];
  if (consoleLevel !== "silent") streams.push({ level: consoleLevel, stream: consoleStream(opts.pretty ?? process.stderr.isTTY === true, opts.redactLine) });
  if (opts.file) streams.push({ level, stream: fileStream(opts.file, opts.redactLine) });
  if (streams.length === 0) return pino({ level: "silent" });
  const minLevel = lowest(streams.map((s) => s.level));
  return pino({ level: minLevel, base: { pid: process.pid } }, pino.multistream(streams as pino.StreamEntry[]));
}

function consoleStream(pretty: boolean, redact?: (line: string) => string): DestinationStream {
  if (pretty) {
    // pino-pretty is loaded lazily: it costs start-up time and is only needed in a terminal.
    return lazyPretty(redact);
  }
  const dest = pino.destination({ fd: 2, sync: false });
  return redact ? { write: (line: string) => dest.write(redact(line)) } : dest;
}

function lazyPretty(redact?: (line: string) => string): DestinationStream {
  const buffered: string[] = [];
  let target: DestinationStream | undefined;
  void import("pino-pretty").then((m) => {
    target = m.default({ destination: 2, colorize: true, translateTime: "SYS:HH:MM:ss", ignore: "pid,hostname" }) as DestinationStream;
    for (const l of buffered.splice(0)) target.write(l);
  });
  return {
    write(line: string) {
      const out = redact ? redact(line) : line;
      if (target) target.write(out);
      else buffered.push(out);
    },
  };
}

function fileStream(file: string, redact?: (line: string) => string): DestinationStream {
  const dir = path.dirname(file);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  if ((statSync(dir).mode & 0o077) !== 0) chmodSync(dir, 0o700);
  const fd = openSync(file, "a", 0o600);
  try {
    fchmodSync(fd, 0o600);
  } catch {
    closeSync(fd);
    throw new Error(`cannot secure log file ${file}`);
  }
  const dest = pino.destination({ fd, sync: false });
  return redact ? { write: (line: string) => dest.write(redact(line)) } : dest;
}

const ORDER: LevelWithSilent[] = ["trace", "debug", "info", "warn", "error", "fatal", "silent"];
function lowest(levels: LevelWithSilent[]): LevelWithSilent {
  return levels.reduce((a, b) => (ORDER.indexOf(a) <= ORDER.indexOf(b) ? a : b));
}

/** A logger that drops everything (tests, one-shot CLI commands). */
export function silentLogger(): Logger {
  return pino({ level: "silent" });
}
