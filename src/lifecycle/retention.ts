import type { Logger } from "../logging/index.js";
import { cliHint } from "../infra/index.js";
import type { ChatMessage, SessionMeta, SessionStore } from "../sessions/index.js";
import { lastDailyReset, type RetentionPolicy } from "./policy.js";
import { trimMessages } from "./trim.js";

/** Why a whole session was removed by the sweep. */
export type SessionRemovalReason = "reset-daily" | "reset-idle" | "pruneAfter" | "maxEntries" | "maxDiskBytes";

/** What one retention sweep removed (or, in a dry run or under `mode: "warn"`, would remove). */
export interface CleanupReport {
  /** ms since the epoch. */
  readonly at: number;
  readonly dryRun: boolean;
  readonly mode: "enforce" | "warn";
  /** Transcripts trimmed by `sessionPruning` (the sessions stay). */
  readonly transcripts: { key: string; removedMessages: number; keptMessages: number }[];
  /** Sessions removed: archived (`<id>.jsonl.deleted.<ts>`), or purged for `maxDiskBytes`. */
  readonly sessions: { key: string; reason: SessionRemovalReason; archived: boolean; applied: boolean }[];
  /** Deleted-session archives purged. */
  readonly archives: { file: string; reason: "archiveRetention" | "maxDiskBytes"; bytes: number; applied: boolean }[];
  /** Inbound media files removed. */
  readonly media: { file: string; bytes: number; applied: boolean }[];
  /**
   * State database rows past their fixed retention, deleted (absent in a dry run): finished runs,
   * sent outbox chunks, handled inbound updates. Not under `session.maintenance.mode`: they hold
   * no conversation of their own (the transcripts do) and are kept only for retries and deduplication.
   */
  rows?: { readonly runs: number; readonly outboxChunks: number; readonly inboundUpdates: number };
}

/** What the sweep works on. */
export interface RetentionDeps {
  readonly sessions: Pick<
    SessionStore,
    "flush" | "list" | "history" | "rewrite" | "delete" | "transcriptBytes" | "archives" | "removeArchive"
  >;
  readonly media: {
    prune(opts: { maxAgeMs: number; now: number; dryRun?: boolean }): Promise<{ file: string; bytes: number }[]>;
  };
  /** Aborts the running turns of a session before it is removed. */
  readonly abortSession: (key: string) => void;
  /** Deletes the state database rows past their retention (the store's `pruneExpired`). */
  readonly pruneRows?: () => NonNullable<CleanupReport["rows"]>;
  readonly log: Logger;
}

/**
 * One retention sweep, in this order: `session.reset` (daily / idle sessions archived, so the next
 * message starts afresh), `session.maintenance.pruneAfter` and `maxEntries` (sessions archived),
 * `sessionPruning` (oldest messages dropped from transcripts, sessions kept), archive retention,
 * `maxDiskBytes` (oldest archives, then oldest sessions purged), media retention, then the state
 * database rows past their fixed retention (finished runs, sent outbox chunks, handled inbound updates).
 * `dryRun` changes nothing; `mode: "warn"` changes nothing under `session.maintenance` and logs what it
 * would remove. Source: reference §5.3; issue "Data lifecycle" (retention).
 * @throws HoldfastError HF_STATE_* when a store cannot be written (what was done before stays done)
 */
export async function runRetention(
  deps: RetentionDeps,
  policy: RetentionPolicy,
  opts: { readonly now: number; readonly dryRun?: boolean },
): Promise<CleanupReport> {
  const dryRun = opts.dryRun === true;
  const maintain = !dryRun && policy.mode === "enforce";
  const report: CleanupReport = {
    at: opts.now,
    dryRun,
    mode: policy.mode,
    transcripts: [],
    sessions: [],
    archives: [],
    media: [],
  };
  await deps.sessions.flush(); // index counts and times current
  let live = await deps.sessions.list();
  const removeSession = async (s: SessionMeta, reason: SessionRemovalReason, apply: boolean) => {
    const purge = reason === "maxDiskBytes";
    report.sessions.push({ key: s.key, reason, archived: !purge, applied: apply });
    if (!apply) return;
    deps.abortSession(s.key);
    await deps.sessions.delete(s.key, { purge });
  };
  for (const s of live) {
    const reason =
      resetReason(s, policy, opts.now) ?? (opts.now - s.updatedAt > policy.pruneAfterMs ? "pruneAfter" : undefined);
    if (reason) await removeSession(s, reason, reason === "pruneAfter" ? maintain : !dryRun);
  }
  live = live.filter((s) => !report.sessions.some((r) => r.key === s.key));
  for (const s of live.slice(policy.maxEntries)) await removeSession(s, "maxEntries", maintain);
  live = live.slice(0, policy.maxEntries);
  for (const s of live) await trimSession(deps, s, policy, { now: opts.now, dryRun, report });
  let archives = await deps.sessions.archives();
  for (const a of archives.filter((x) => opts.now - x.deletedAt > policy.archiveRetentionMs)) {
    report.archives.push({ file: a.file, reason: "archiveRetention", bytes: a.bytes, applied: maintain });
    if (maintain) await deps.sessions.removeArchive(a);
  }
  archives = archives.filter((a) => !report.archives.some((r) => r.file === a.file));
  if (policy.maxDiskBytes !== undefined) {
    let total = archives.reduce((n, a) => n + a.bytes, 0);
    const sizes = new Map<string, number>();
    for (const s of live) sizes.set(s.key, await deps.sessions.transcriptBytes(s));
    for (const n of sizes.values()) total += n;
    for (const a of archives) {
      if (total <= policy.maxDiskBytes) break;
      report.archives.push({ file: a.file, reason: "maxDiskBytes", bytes: a.bytes, applied: maintain });
      if (maintain) await deps.sessions.removeArchive(a);
      total -= a.bytes;
    }
    for (const s of [...live].reverse()) {
      if (total <= policy.maxDiskBytes) break;
      await removeSession(s, "maxDiskBytes", maintain);
      total -= sizes.get(s.key) ?? 0;
    }
  }
  const media = await deps.media.prune({ maxAgeMs: policy.mediaRetentionMs, now: opts.now, dryRun: !maintain });
  report.media.push(...media.map((m) => ({ ...m, applied: maintain })));
  if (!dryRun && deps.pruneRows) report.rows = deps.pruneRows();
  logReport(deps.log, report);
  return report;
}

function resetReason(s: SessionMeta, policy: RetentionPolicy, now: number): SessionRemovalReason | undefined {
  const r = policy.reset;
  if (r.mode === "daily" && s.updatedAt < lastDailyReset(now, r.atHour)) return "reset-daily";
  if (r.mode === "idle" && now - s.updatedAt > r.idleMs) return "reset-idle";
  return undefined;
}

async function trimSession(
  deps: RetentionDeps,
  s: SessionMeta,
  policy: RetentionPolicy,
  o: { now: number; dryRun: boolean; report: CleanupReport },
): Promise<void> {
  const pruning = policy.pruningOf(s.agentId);
  const overCount = pruning.maxMessages !== undefined && s.messageCount > pruning.maxMessages;
  const mayBeOld = pruning.maxAgeMs !== undefined && o.now - s.createdAt > pruning.maxAgeMs;
  if (!overCount && !mayBeOld) return;
  const keep = (all: readonly ChatMessage[]) => trimMessages(all, pruning, o.now);
  let removed: number;
  let kept: number;
  if (o.dryRun) {
    const all = await deps.sessions.history(s.key, 0);
    kept = keep(all).length;
    removed = all.length - kept;
  } else ({ removed, kept } = await deps.sessions.rewrite(s.key, keep));
  if (removed > 0) o.report.transcripts.push({ key: s.key, removedMessages: removed, keptMessages: kept });
}

function logReport(log: Logger, r: CleanupReport): void {
  const held = [...r.sessions, ...r.archives, ...r.media].filter((x) => !x.applied).length;
  const counts = {
    transcripts: r.transcripts.length,
    sessions: r.sessions.length,
    archives: r.archives.length,
    media: r.media.length,
  };
  if (!r.dryRun && r.mode === "warn" && held > 0)
    log.warn(
      counts,
      `session.maintenance.mode is warn: sessions, archives and media past their retention are kept (${cliHint("sessions cleanup --dry-run")} lists them)`,
    );
  else if (Object.values(counts).some((n) => n > 0) || Object.values(r.rows ?? {}).some((n) => n > 0))
    log.info({ ...counts, ...(r.rows ? { rows: r.rows } : {}), dryRun: r.dryRun }, "retention sweep");
}
