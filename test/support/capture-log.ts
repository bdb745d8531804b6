import { Writable } from "node:stream";
import pino, { type Logger } from "pino";

/** A debug-level pino logger whose JSON lines are kept in `lines` (for asserting on logs). */
export function captureLogger(): { log: Logger; lines: Record<string, unknown>[]; text: () => string } {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, cb) {
      for (const l of chunk.toString().split("\n")) if (l.trim()) lines.push(JSON.parse(l) as Record<string, unknown>);
      cb();
    },
  });
  return { log: pino({ level: "debug" }, stream), lines, text: () => lines.map((l) => JSON.stringify(l)).join("\n") };
}

/** A clock whose sleeps end at once (retry/backoff loops run without waiting). */
export const instantClock = {
  now: () => Date.now(),
  sleep: async (_ms: number, signal?: AbortSignal) => {
    if (signal?.aborted) throw signal.reason;
    await new Promise((r) => setImmediate(r));
  },
};
