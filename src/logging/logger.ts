import pino, { type DestinationStream, type Logger, type LevelWithSilent } from "pino";
import { LogFile } from "./log-file.js";
import { formatLogLine } from "./log-reader.js";
import type { Redactor } from "./redact.js";

export type { Logger } from "pino";

/** `logging.redactSensitive`: "tools" (default) masks tool arguments/outputs, URLs and message text fields. */
export type RedactSensitive = "tools" | "off";

/**
 * `logging.consoleStyle`: `pretty` (colours; the default in a terminal), `compact` (one plain
 * `time LEVEL msg key=value` line; the default otherwise) or `json` (the JSON lines of the file).
 */
export type ConsoleStyle = "pretty" | "compact" | "json";

/** The console style when none is configured: pretty in a terminal, compact human lines otherwise. */
export function defaultConsoleStyle(isTty: boolean = process.stderr.isTTY === true): ConsoleStyle {
  return isTty ? "pretty" : "compact";
}

/** Options for {@link createLogger}. */
export interface LoggerOptions {
  /** Minimum level for the file and (by default) the console. Default "info". */
  readonly level?: LevelWithSilent;
  /** Console level; default = `level`. "silent" turns the console off. */
  readonly consoleLevel?: LevelWithSilent;
  /** Log file: a path (`logging.file`); without it, the dated files in `dir` when given, else no file. */
  readonly file?: string;
  /** Directory of the dated default files `holdfast-YYYY-MM-DD.log` (`<stateDir>/logs`). */
  readonly dir?: string;
  /** Days of log kept (`logging.maxFiles`, default 7), for the dated files and for `file`'s archives. */
  readonly maxFiles?: number;
  /** Rotation size of the log file (bytes). */
  readonly maxFileBytes?: number;
  /** Console format (default {@link defaultConsoleStyle}). */
  readonly consoleStyle?: ConsoleStyle;
  /** Fields on every line besides `pid` (the gateway's `instance`). */
  readonly base?: Readonly<Record<string, string>>;
  /** Masks secrets in every rendered line (file and console). */
  readonly redactor?: Redactor;
  /** Default "tools". */
  readonly redactSensitive?: RedactSensitive;
}

/** Fields whose content is never logged in "tools" mode: tool arguments/outputs, URLs, message text. */
const SENSITIVE_FIELDS = [
  "args",
  "arguments",
  "toolArgs",
  "input",
  "output",
  "toolOutput",
  "result",
  "url",
  "content",
  "text",
  "body",
];
/** Fields that hold credentials; masked in every mode. */
const CREDENTIAL_FIELDS = ["apiKey", "token", "password", "secret", "authorization", "headers.authorization"];

/** The pino redact paths for a mode (top level and one level down). */
export function redactPaths(mode: RedactSensitive): string[] {
  const fields = mode === "off" ? CREDENTIAL_FIELDS : [...CREDENTIAL_FIELDS, ...SENSITIVE_FIELDS];
  return fields.flatMap((f) => [f, `*.${f}`]);
}

/**
 * Creates the process logger (pino). Lines go to stderr (pretty in a TTY) and, when `file` is set, to
 * that file as JSON lines (mode 600, see {@link LogFile}). Every line passes the redactor; in "tools"
 * mode, fields that carry message text, tool arguments/outputs or URLs are replaced by `[redacted]`,
 * so callers may pass such objects at debug level without leaking them.
 * Source: seeds security-architecture.md "Logging & Auditing"; the secrets issue.
 * @throws HoldfastError HF_LOG_FILE_INSECURE when the log file cannot be kept private.
 */
export function createLogger(opts: LoggerOptions = {}): Logger {
  const level = opts.level ?? "info";
  const consoleLevel = opts.consoleLevel ?? level;
  const redact = opts.redactor
    ? (line: string) => (opts.redactor as Redactor).redactLine(line)
    : (line: string) => line;
  const streams: { level: LevelWithSilent; stream: DestinationStream }[] = [];
  if (consoleLevel !== "silent")
    streams.push({ level: consoleLevel, stream: consoleStream(opts.consoleStyle ?? defaultConsoleStyle(), redact) });
  const limits = {
    ...(opts.maxFileBytes ? { maxFileBytes: opts.maxFileBytes } : {}),
    ...(opts.maxFiles !== undefined ? { maxFiles: opts.maxFiles } : {}),
  };
  const target =
    opts.file !== undefined
      ? { file: opts.file, ...limits }
      : opts.dir !== undefined
        ? { dir: opts.dir, ...limits }
        : undefined;
  if (target && level !== "silent") {
    const file = new LogFile(target);
    streams.push({ level, stream: { write: (line: string) => file.write(redact(line)) } });
  }
  if (streams.length === 0) return pino({ level: "silent" });
  const minLevel = lowest(streams.map((s) => s.level));
  return pino(
    {
      level: minLevel,
      base: { pid: process.pid, ...(opts.base ?? {}) },
      redact: { paths: redactPaths(opts.redactSensitive ?? "tools"), censor: "[redacted]" },
    },
    pino.multistream(streams as pino.StreamEntry[]),
  );
}

function consoleStream(style: ConsoleStyle, redact: (line: string) => string): DestinationStream {
  if (style === "pretty") return lazyPretty(redact);
  const dest = pino.destination({ fd: 2, sync: true });
  // A closed stderr (the reader went away) must not take the gateway down: console lines are dropped.
  dest.on("error", () => undefined);
  if (style === "json") return { write: (line: string) => dest.write(redact(line)) };
  return { write: (line: string) => dest.write(`${formatLogLine(redact(line).trimEnd(), { pid: false })}\n`) };
}

function lazyPretty(redact: (line: string) => string): DestinationStream {
  const buffered: string[] = [];
  let target: DestinationStream | undefined;
  // pino-pretty is loaded lazily: it costs start-up time and is only needed in a terminal.
  void import("pino-pretty").then((m) => {
    target = m.default({
      destination: 2,
      colorize: true,
      translateTime: "SYS:HH:MM:ss",
      ignore: "pid,hostname",
    }) as DestinationStream;
    for (const l of buffered.splice(0)) target.write(l);
  });
  return {
    write(line: string) {
      const out = redact(line);
      if (target) target.write(out);
      else buffered.push(out);
    },
  };
}

const ORDER: LevelWithSilent[] = ["trace", "debug", "info", "warn", "error", "fatal", "silent"];
function lowest(levels: LevelWithSilent[]): LevelWithSilent {
  return levels.reduce((a, b) => (ORDER.indexOf(a) <= ORDER.indexOf(b) ? a : b));
}

/** A logger that drops everything (tests, one-shot CLI commands). */
export function silentLogger(): Logger {
  return pino({ level: "silent" });
}
