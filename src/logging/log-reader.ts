import { promises as fsp } from "node:fs";
import path from "node:path";

/**
 * The gateway log files that exist, newest first: `logging.file` and its rotations when set, else
 * `<logDir>/holdfast-*.log` (and rotations).
 */
export async function findLogFiles(configured: string | undefined, logDir: string): Promise<string[]> {
  const dir = configured ? path.dirname(path.resolve(configured)) : logDir;
  const base = configured ? path.basename(configured) : undefined;
  const names = await fsp.readdir(dir).catch(() => [] as string[]);
  const picked = names.filter((n) =>
    base
      ? n === base || (n.startsWith(base) && /^\.\d+$/.test(n.slice(base.length)))
      : /^holdfast-.*\.log(\.\d+)?$/.test(n),
  );
  const withTimes = await Promise.all(
    picked.map(async (n) => ({
      file: path.join(dir, n),
      mtime: (await fsp.lstat(path.join(dir, n)).catch(() => undefined))?.mtimeMs ?? 0,
    })),
  );
  return withTimes.sort((a, b) => b.mtime - a.mtime || b.file.localeCompare(a.file)).map((w) => w.file);
}

const CHUNK_BYTES = 64 * 1024;

/** The last `limit` lines of `file` before byte `end` (default: its size); empty when missing. */
export async function tailLines(file: string, limit: number, end?: number): Promise<string[]> {
  const handle = await fsp.open(file, "r").catch(() => undefined);
  if (!handle) return [];
  try {
    let pos = Math.min(end ?? Infinity, (await handle.stat()).size);
    let text = "";
    while (pos > 0 && text.split("\n").length <= limit + 1) {
      const len = Math.min(CHUNK_BYTES, pos);
      pos -= len;
      const buf = Buffer.alloc(len);
      await handle.read(buf, 0, len, pos);
      text = buf.toString("utf8") + text;
    }
    const lines = text.split("\n").filter((l) => l.length > 0);
    return lines.slice(-limit);
  } finally {
    await handle.close();
  }
}

/**
 * The last `limit` lines across `files` (newest file first), oldest line first. The newest file is
 * read up to `endOfNewest` bytes (so a follow that starts there neither skips nor repeats a line).
 */
export async function tailAcross(files: readonly string[], limit: number, endOfNewest?: number): Promise<string[]> {
  const out: string[] = [];
  for (const [i, f] of files.entries()) {
    if (out.length >= limit) break;
    out.unshift(...(await tailLines(f, limit - out.length, i === 0 ? endOfNewest : undefined)));
  }
  return out;
}

/** Size of a file in bytes (0 when missing). */
export async function fileSize(file: string | undefined): Promise<number> {
  return file ? ((await fsp.stat(file).catch(() => undefined))?.size ?? 0) : 0;
}

/** Options of {@link followLog}. */
export interface FollowLogOptions {
  /** The log file to read now (it changes at a day change). */
  readonly current: () => Promise<string | undefined>;
  readonly startFile: string | undefined;
  /** Byte offset in `startFile` to start after. */
  readonly startOffset: number;
  readonly onLine: (line: string) => void;
  readonly signal: AbortSignal;
  /** Poll interval in ms. Default 250. */
  readonly intervalMs?: number;
}

/**
 * Follows a growing log: calls `onLine` for every complete line of `startFile` after byte
 * `startOffset`, polling every `intervalMs`; when `current()` names another file (day change) or the
 * file shrinks (rotation), continues from the start of the new file. Stops when `signal` aborts.
 */
export async function followLog({
  current,
  startFile,
  startOffset,
  onLine,
  signal,
  intervalMs = 250,
}: FollowLogOptions): Promise<void> {
  let file = startFile;
  let offset = startOffset;
  let partial = "";
  while (!signal.aborted) {
    await new Promise((r) => setTimeout(r, intervalMs));
    const latest = await current();
    if (latest && latest !== file) [file, offset, partial] = [latest, 0, ""];
    if (!file) continue;
    const size = (await fsp.stat(file).catch(() => undefined))?.size ?? 0;
    if (size < offset) [offset, partial] = [0, ""];
    if (size === offset) continue;
    const handle = await fsp.open(file, "r");
    const buf = Buffer.alloc(size - offset);
    await handle.read(buf, 0, buf.length, offset);
    await handle.close();
    offset = size;
    const parts = (partial + buf.toString("utf8")).split("\n");
    partial = parts.pop() ?? "";
    for (const l of parts) if (l) onLine(l);
  }
}

const LEVELS: Readonly<Record<number, string>> = {
  10: "TRACE",
  20: "DEBUG",
  30: "INFO",
  40: "WARN",
  50: "ERROR",
  60: "FATAL",
};

/** Which process fields {@link formatLogLine} shows. */
export interface LogLineFields {
  /** `[pid N]` (default true: `holdfast logs` tells restarts apart). */
  readonly pid?: boolean;
  /** `instance=<id>` (default false: shown when lines of several gateways are listed). */
  readonly instance?: boolean;
}

/** A JSON log line as `time LEVEL [pid N] msg key=value …` (hostname dropped); other lines unchanged. */
export function formatLogLine(line: string, show: LogLineFields = {}): string {
  let rec: Record<string, unknown>;
  try {
    rec = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return line;
  }
  if (rec === null || typeof rec !== "object") return line;
  const { time, level, msg, pid, instance, hostname: _host, ...rest } = rec;
  const when = typeof time === "number" ? new Date(time).toISOString() : "";
  const lvl = typeof level === "number" ? (LEVELS[level] ?? String(level)) : String(level ?? "");
  const who = show.pid !== false && pid !== undefined ? `[pid ${String(pid)}]` : "";
  const extra = Object.entries({ ...rest, ...(show.instance && instance !== undefined ? { instance } : {}) }).map(
    ([k, v]) => `${k}=${typeof v === "string" ? v : JSON.stringify(v)}`,
  );
  return [when, lvl.padEnd(5), who, String(msg ?? ""), ...extra].filter((p) => p !== "").join(" ");
}

/**
 * The `instance` of a JSON log line (which gateway wrote it: see `instanceId`), or undefined for a
 * line without one.
 */
export function lineInstance(line: string): string | undefined {
  if (!line.startsWith("{")) return undefined;
  try {
    const v = (JSON.parse(line) as { instance?: unknown }).instance;
    return typeof v === "string" ? v : undefined;
  } catch {
    return undefined;
  }
}
