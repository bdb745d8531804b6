import { existsSync, promises as fsp } from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import { HoldfastError } from "../errors/index.js";
import { cliHint, readFileIfExists } from "../infra/index.js";
import { parseJsonl } from "./jsonl.js";
import { findQuarantined } from "./quarantine.js";
import { listTranscripts } from "./rebuild-index.js";
import { stateDbPath } from "./state-store.js";

/** One storage problem found by {@link inspectStorage}, with what to do about it. */
export interface StorageFinding {
  readonly severity: "critical" | "warn" | "info";
  /** The file concerned. */
  readonly file: string;
  readonly problem: string;
  /** What to do (a command to paste, or what holdfast already did). */
  readonly fix: string;
}

/** Options of {@link inspectStorage}. */
export interface InspectOptions {
  readonly stateDir: string;
  readonly agentsDir: string;
  /** Transcripts read in full for torn or garbled lines (the newest first). Default 500. */
  readonly maxTranscripts?: number;
}

interface IssueRow {
  file: string;
  moved_to: string | null;
  problem: string;
  fix: string;
}

/**
 * Read-only storage check for `holdfast doctor` (safe while the gateway runs): the state database's
 * integrity, files moved aside as corrupt (by this or any earlier start), transcripts the session
 * index does not know, transcripts with a torn last line or garbled lines, and legacy files still
 * waiting to be imported.
 */
export async function inspectStorage(opts: InspectOptions): Promise<StorageFinding[]> {
  const out: StorageFinding[] = [];
  const dbFile = stateDbPath(opts.stateDir);
  const { issues, sessionIds } = readDatabase(dbFile, out);
  for (const q of await findQuarantined(opts.stateDir)) {
    const issue = issues.find((i) => i.moved_to === q.path);
    out.push({
      severity: "warn",
      file: q.original,
      problem: `corrupt content was moved aside on ${new Date(q.movedAt).toISOString()} to ${q.path}${issue ? ` (${issue.problem})` : ""}`,
      fix: `${issue ? `${issue.fix}; ` : ""}inspect ${q.path} and delete it when no longer needed`,
    });
  }
  const transcripts = await listTranscripts(opts.agentsDir);
  if (sessionIds) {
    const orphans = transcripts.filter((t) => !sessionIds.has(t.sessionId));
    for (const o of orphans.slice(0, 20))
      out.push({
        severity: "warn",
        file: o.file,
        problem: "transcript is not in the session index (it does not show in sessions list)",
        fix: `run \`${cliHint("doctor --fix")}\` (or restart the gateway) to rebuild the session index from the transcripts`,
      });
  }
  out.push(...(await scanTranscripts(transcripts, opts.maxTranscripts ?? 500)));
  out.push(...(await checkJsonFiles(opts.stateDir)));
  for (const agent of await fsp.readdir(opts.agentsDir).catch(() => [] as string[])) {
    const legacy = path.join(opts.agentsDir, agent, "sessions", "sessions.json");
    if (existsSync(legacy))
      out.push({
        severity: "info",
        file: legacy,
        problem: "legacy session index not yet imported into the state database",
        fix: "start the gateway once: it imports the file and keeps it as sessions.json.migrated",
      });
  }
  return out;
}

function readDatabase(file: string, out: StorageFinding[]): { issues: IssueRow[]; sessionIds?: Set<string> } {
  if (!existsSync(file)) return { issues: [] };
  let db: Database.Database | undefined;
  try {
    db = new Database(file, { readonly: true, fileMustExist: true });
    const check = db.pragma("quick_check", { simple: true });
    if (check !== "ok") throw new HoldfastError("HF_STATE_CORRUPT", `quick_check: ${String(check).slice(0, 200)}`);
    const issues = db
      .prepare("SELECT file, moved_to, problem, fix FROM store_issues ORDER BY seq DESC LIMIT 200")
      .all() as IssueRow[];
    const ids = db.prepare("SELECT session_id FROM sessions").all() as { session_id: string }[];
    return { issues, sessionIds: new Set(ids.map((r) => r.session_id)) };
  } catch (err) {
    out.push({
      severity: "critical",
      file,
      problem: `state database unreadable: ${(err as Error).message}`,
      fix: "restart the gateway: it moves the database aside and rebuilds the session index from the transcripts",
    });
    return { issues: [] };
  } finally {
    db?.close();
  }
}

async function scanTranscripts(list: { file: string; sessionId: string }[], max: number): Promise<StorageFinding[]> {
  const out: StorageFinding[] = [];
  const withTime = await Promise.all(
    list.map(async (t) => ({ ...t, mtime: (await fsp.stat(t.file).catch(() => undefined))?.mtimeMs ?? 0 })),
  );
  for (const t of withTime.sort((a, b) => b.mtime - a.mtime).slice(0, max)) {
    const text = await readFileIfExists(t.file).catch(() => undefined);
    if (text === undefined || text === "") continue;
    const torn = !text.endsWith("\n");
    const { badLines } = parseJsonl(text);
    const garbled = torn ? badLines.slice(0, -1) : badLines;
    if (torn)
      out.push({
        severity: "warn",
        file: t.file,
        problem: "transcript ends with a torn (incomplete) line",
        fix: "nothing to do: the gateway truncates it to the last complete line before its next write",
      });
    if (garbled.length > 0)
      out.push({
        severity: "warn",
        file: t.file,
        problem: `${garbled.length} garbled line(s) (line ${garbled.slice(0, 5).join(", ")}${garbled.length > 5 ? ", ..." : ""}) are skipped when the history is read`,
        fix: "inspect the file; the other lines of the transcript are intact",
      });
  }
  return out;
}

/** JSON state files holdfast reads (relative to the state dir; `*` matches one name part). */
const JSON_STATE_FILES = [
  "devices/paired.json",
  "devices/pending.json",
  "exec-approvals.json",
  "credentials/*-pairing.json",
  "credentials/*-allowFrom.json",
  "telegram/update-offset-*.json",
];

/** Every JSON state file that exists but does not parse as a JSON object. */
async function checkJsonFiles(stateDir: string): Promise<StorageFinding[]> {
  const out: StorageFinding[] = [];
  for (const pattern of JSON_STATE_FILES) {
    const dir = path.join(stateDir, path.dirname(pattern));
    const re = new RegExp(`^${path.basename(pattern).replace(/[.]/g, "\\.").replace("*", "[^/]+")}$`);
    for (const name of (await fsp.readdir(dir).catch(() => [] as string[])).filter((n) => re.test(n))) {
      const file = path.join(dir, name);
      const text = await readFileIfExists(file).catch(() => undefined);
      if (text === undefined) continue;
      let ok = false;
      try {
        const v: unknown = JSON.parse(text);
        ok = v !== null && typeof v === "object" && !Array.isArray(v);
      } catch {
        ok = false;
      }
      if (!ok)
        out.push({
          severity: "warn",
          file,
          problem: "state file is not valid JSON",
          fix: "the gateway moves it aside (.corrupt.<ts>) the next time it reads it and starts that store empty; grant again what it held (pairings, approvals)",
        });
    }
  }
  return out;
}
