import { useEffect, useRef, useState } from "preact/hooks";
import type { Controller } from "../controller.js";
import { useStore } from "../store.js";

const LEVELS: Readonly<Record<number, string>> = {
  10: "trace",
  20: "debug",
  30: "info",
  40: "warn",
  50: "error",
  60: "fatal",
};
const FILTERS = ["trace", "debug", "info", "warn", "error"] as const;
const KEEP_LINES = 1000;

interface TailAnswer {
  readonly cursor: number;
  readonly lines: readonly string[];
  readonly reset?: boolean;
}

interface LogLine {
  readonly n: number;
  readonly level: number;
  readonly text: string;
}

/** A live tail of the gateway's (already redacted) log file, polled every 2 s, with a minimum level filter. */
export function LogsView({ controller }: { controller: Controller }) {
  const s = useStore(controller.store);
  const [lines, setLines] = useState<readonly LogLine[]>([]);
  const [min, setMin] = useState<(typeof FILTERS)[number]>("info");
  const [error, setError] = useState<string | undefined>(undefined);
  const cursor = useRef<number | undefined>(undefined);
  const seq = useRef(0);
  useEffect(() => {
    if (s.conn !== "connected") return;
    let live = true;
    const poll = async () => {
      try {
        const res = await controller.client.request<TailAnswer>("logs.tail", {
          ...(cursor.current !== undefined ? { cursor: cursor.current } : {}),
          limit: 200,
        });
        if (!live) return;
        cursor.current = res.cursor;
        const fresh = res.lines.map((l) => parseLine(l, seq.current++));
        setLines((prev) => [...(res.reset ? [] : prev), ...fresh].slice(-KEEP_LINES));
        setError(undefined);
      } catch (err) {
        if (live) setError((err as Error).message);
      }
    };
    void poll();
    const timer = setInterval(() => void poll(), 2000);
    return () => {
      live = false;
      clearInterval(timer);
    };
  }, [s.conn, controller]);
  const floor = Number(Object.entries(LEVELS).find(([, v]) => v === min)?.[0] ?? 30);
  const shown = lines.filter((l) => l.level >= floor);
  return (
    <section class="panel logs" aria-labelledby="logs-h">
      <h2 id="logs-h">Logs</h2>
      <label for="log-level">Minimum level</label>{" "}
      <select id="log-level" value={min} onChange={(e) => setMin(e.currentTarget.value as (typeof FILTERS)[number])}>
        {FILTERS.map((f) => (
          <option key={f} value={f}>
            {f}
          </option>
        ))}
      </select>
      {error ? <p class="error">{error}</p> : null}
      <ol id="log-lines" class="log-lines" aria-live="off">
        {shown.map((l) => (
          <li key={l.n} class={`lvl-${LEVELS[l.level] ?? "info"}`}>
            {l.text}
          </li>
        ))}
      </ol>
    </section>
  );
}

/** A JSON log line as `time LEVEL msg key=value …`; other lines as they are (level info). */
function parseLine(line: string, n: number): LogLine {
  try {
    const { time, level, msg, pid: _p, hostname: _h, ...rest } = JSON.parse(line) as Record<string, unknown>;
    const lvl = typeof level === "number" ? level : 30;
    const when = typeof time === "number" ? new Date(time).toISOString().slice(11, 23) : "";
    const extra = Object.entries(rest).map(([k, v]) => `${k}=${typeof v === "string" ? v : JSON.stringify(v)}`);
    return { n, level: lvl, text: [when, (LEVELS[lvl] ?? "").toUpperCase(), String(msg ?? ""), ...extra].join(" ") };
  } catch {
    return { n, level: 30, text: line };
  }
}
