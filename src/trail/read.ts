import { readFileIfExists } from "../infra/index.js";
import { verifyChain, type ChainVerdict } from "./chain.js";
import { headStore, type TrailPaths } from "./file-trail.js";
import type { TrailEntry } from "./types.js";

/** The trail's lines as stored (a missing file has none; the final newline ends the last line). */
export async function trailLines(paths: TrailPaths): Promise<string[]> {
  const text = (await readFileIfExists(paths.file)) ?? "";
  const lines = text.split("\n");
  if (lines[lines.length - 1] === "") lines.pop();
  return lines;
}

/** Verifies the whole trail against its chain and its head file (`audit-log verify`). */
export async function verifyTrail(paths: TrailPaths): Promise<ChainVerdict> {
  const head = await headStore(paths).read();
  return verifyChain(await trailLines(paths), head.seq > 0 ? head : undefined);
}

/** Filters of `audit-log show`. */
export interface TrailQuery {
  /** Entries at or after this time (ms since the epoch). */
  readonly sinceMs?: number;
  /** A whole type (`pairing.approved`) or an area (`pairing`). */
  readonly type?: string;
}

/** The entries that parse and match `q`, oldest first (lines that do not parse are skipped; verify reports them). */
export async function queryTrail(paths: TrailPaths, q: TrailQuery = {}): Promise<TrailEntry[]> {
  const out: TrailEntry[] = [];
  for (const line of await trailLines(paths)) {
    let e: TrailEntry;
    try {
      e = JSON.parse(line) as TrailEntry;
    } catch {
      continue;
    }
    if (q.sinceMs !== undefined && !(Date.parse(e.ts) >= q.sinceMs)) continue;
    if (q.type && e.type !== q.type && !e.type.startsWith(`${q.type}.`)) continue;
    out.push(e);
  }
  return out;
}

/** One entry as a terminal line: `ts  type  actor  subject  k=v ...`. */
export function formatEntry(e: TrailEntry): string {
  const actor = e.actor ? Object.values(e.actor).join(":") : "-";
  const details = Object.entries(e.details ?? {})
    .map(([k, v]) => `${k}=${Array.isArray(v) ? v.join(",") : String(v)}`)
    .join(" ");
  return [e.ts, `#${e.seq}`, e.type, `by ${actor}`, e.subject ? `about ${e.subject}` : "", details]
    .filter((s) => s !== "")
    .join("  ");
}
