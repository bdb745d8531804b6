import { z } from "zod";

const UNIT_MS: Readonly<Record<string, number>> = {
  ms: 1,
  s: 1_000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
};

/**
 * Parses a duration such as `"30d"`, `"12h"`, `"90m"`, `"45s"`, `"500ms"` or `"2w"` into milliseconds
 * (a bare number is milliseconds). Returns undefined for anything else, and for zero or negative values.
 * Source: reference §5.3 (`session.maintenance.pruneAfter: "30d"`).
 */
export function parseDurationMs(text: string | number): number | undefined {
  if (typeof text === "number") return Number.isFinite(text) && text > 0 ? text : undefined;
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d|w)?\s*$/i.exec(text);
  if (!m) return undefined;
  const ms = Number(m[1]) * (UNIT_MS[(m[2] ?? "ms").toLowerCase()] as number);
  return ms > 0 && Number.isFinite(ms) ? Math.round(ms) : undefined;
}

/** A positive duration in config: `"30d"`, `"12h"`, ... or milliseconds. Parsed with {@link parseDurationMs}. */
export const DurationSchema = z.union([z.string(), z.number()]).refine((v) => parseDurationMs(v) !== undefined, {
  message: 'expected a positive duration such as "30d", "12h", "15m", "30s" or a number of milliseconds',
});
export type Duration = z.infer<typeof DurationSchema>;
