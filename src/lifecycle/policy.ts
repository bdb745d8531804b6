import { parseDurationMs, type AgentRoster, type Duration, type HoldfastConfig } from "../config/index.js";

/** Default `session.maintenance.pruneAfter` (reference §5.3): 30 days. */
export const DEFAULT_PRUNE_AFTER_MS = 30 * 86_400_000;
/** Default `session.maintenance.maxEntries` (reference §5.3). */
export const DEFAULT_MAX_ENTRIES = 5000;
/** Default retention of deleted-session archives: 30 days (issue "Data lifecycle"). */
export const DEFAULT_ARCHIVE_RETENTION_MS = 30 * 86_400_000;
/** Default retention of inbound media: 7 days (issue "Data lifecycle"). */
export const DEFAULT_MEDIA_RETENTION_MS = 7 * 86_400_000;
/** Default `session.reset.atHour` (reference §5.3). */
export const DEFAULT_RESET_AT_HOUR = 4;

/** `sessionPruning` of one agent, in ms. Absent fields: no limit. */
export interface TranscriptPruning {
  readonly maxMessages?: number;
  readonly maxAgeMs?: number;
}

/** Everything the retention sweep applies, resolved from the config with defaults. */
export interface RetentionPolicy {
  /** `agents.list[].sessionPruning` over `agents.defaults.sessionPruning`, key by key. */
  pruningOf(agentId: string): TranscriptPruning;
  /** `session.maintenance.mode`: `warn` reports what enforce would remove and removes nothing. */
  readonly mode: "enforce" | "warn";
  readonly pruneAfterMs: number;
  readonly maxEntries: number;
  readonly maxDiskBytes?: number;
  readonly archiveRetentionMs: number;
  readonly mediaRetentionMs: number;
  readonly reset:
    | { readonly mode: "none" }
    | { readonly mode: "daily"; readonly atHour: number }
    | { readonly mode: "idle"; readonly idleMs: number };
}

function ms(value: Duration | undefined, fallback: number): number;
function ms(value: Duration | undefined): number | undefined;
function ms(value: Duration | undefined, fallback?: number): number | undefined {
  return value === undefined ? fallback : (parseDurationMs(value) ?? fallback);
}

/** Resolves the retention policy of a config (validated by the schema, so every duration parses). */
export function retentionPolicy(config: HoldfastConfig, roster: Pick<AgentRoster, "entry">): RetentionPolicy {
  const m = config.session?.maintenance ?? {};
  const r = config.session?.reset ?? {};
  const defaults = config.agents?.defaults?.sessionPruning ?? {};
  const reset: RetentionPolicy["reset"] =
    r.mode === "daily"
      ? { mode: "daily", atHour: r.atHour ?? DEFAULT_RESET_AT_HOUR }
      : r.mode === "idle" && r.idleMinutes !== undefined
        ? { mode: "idle", idleMs: r.idleMinutes * 60_000 }
        : { mode: "none" };
  return {
    pruningOf(agentId) {
      const own = roster.entry(agentId)?.sessionPruning ?? {};
      const maxMessages = own.maxMessages ?? defaults.maxMessages;
      const maxAgeMs = ms(own.maxAge ?? defaults.maxAge);
      return {
        ...(maxMessages !== undefined ? { maxMessages } : {}),
        ...(maxAgeMs !== undefined ? { maxAgeMs } : {}),
      };
    },
    mode: m.mode ?? "enforce",
    pruneAfterMs: ms(m.pruneAfter, DEFAULT_PRUNE_AFTER_MS),
    maxEntries: m.maxEntries ?? DEFAULT_MAX_ENTRIES,
    ...(m.maxDiskBytes !== undefined ? { maxDiskBytes: m.maxDiskBytes } : {}),
    archiveRetentionMs: ms(m.archiveRetention, DEFAULT_ARCHIVE_RETENTION_MS),
    mediaRetentionMs: ms(m.mediaRetention, DEFAULT_MEDIA_RETENTION_MS),
    reset,
  };
}

/** The most recent daily reset time at or before `now`: today's `atHour`:00 local time, else yesterday's. */
export function lastDailyReset(now: number, atHour: number): number {
  const d = new Date(now);
  d.setHours(atHour, 0, 0, 0);
  if (d.getTime() > now) d.setDate(d.getDate() - 1);
  return d.getTime();
}
