import { createHash } from "node:crypto";
import type { TrailEntry } from "./types.js";

/** The `prev` of the first entry. */
export const GENESIS_HASH = "0".repeat(64);

/** JSON with object keys sorted at every depth, so a hash does not depend on key order. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const obj = value as Record<string, unknown>;
    const keys = Object.keys(obj)
      .filter((k) => obj[k] !== undefined)
      .sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(obj[k])}`).join(",")}}`;
  }
  return JSON.stringify(value);
}

/** SHA-256 (hex) of an entry's every field but `hash`, in canonical JSON. */
export function entryHash(entry: Omit<TrailEntry, "hash">): string {
  const { hash: _ignored, ...body } = entry as TrailEntry;
  return createHash("sha256").update(canonicalJson(body)).digest("hex");
}

/** The entry that follows `last` (or starts the chain), with its hash. */
export function chainEntry(
  last: { readonly seq: number; readonly hash: string } | undefined,
  body: Omit<TrailEntry, "seq" | "prev" | "hash">,
): TrailEntry {
  const unsealed = { seq: (last?.seq ?? 0) + 1, ...body, prev: last?.hash ?? GENESIS_HASH };
  return { ...unsealed, hash: entryHash(unsealed) };
}

/** The first line that breaks the chain: its 1-based line number and what is wrong. */
export interface ChainBreak {
  readonly line: number;
  readonly problem: string;
  /** The line's `seq` when it could be read. */
  readonly seq?: number;
}

/** The outcome of {@link verifyChain}. */
export type ChainVerdict =
  | { readonly ok: true; readonly entries: number; readonly last?: { seq: number; hash: string } }
  | ({ readonly ok: false; readonly entries: number } & ChainBreak);

function parseEntry(line: string): TrailEntry | string {
  let raw: unknown;
  try {
    raw = JSON.parse(line);
  } catch {
    return "not valid JSON";
  }
  if (raw === null || typeof raw !== "object" || Array.isArray(raw)) return "not a JSON object";
  const e = raw as Record<string, unknown>;
  if (!Number.isSafeInteger(e.seq)) return "no seq";
  for (const k of ["ts", "type", "prev", "hash"] as const) if (typeof e[k] !== "string") return `no ${k}`;
  return e as unknown as TrailEntry;
}

/**
 * Checks a trail's lines in order: each parses, carries the hash of its own content, the next seq
 * and the previous entry's hash. With `head` (the last seq and hash written, kept beside the file),
 * lines removed from the end are caught too. Blank lines are errors (nothing writes them).
 */
export function verifyChain(
  lines: readonly string[],
  head?: { readonly seq: number; readonly hash: string },
): ChainVerdict {
  let last: { seq: number; hash: string } | undefined;
  let n = 0;
  for (const [i, line] of lines.entries()) {
    const at = i + 1;
    const e = parseEntry(line);
    if (typeof e === "string") return { ok: false, entries: n, line: at, problem: e };
    const expectedSeq = (last?.seq ?? 0) + 1;
    if (e.hash !== entryHash(e))
      return {
        ok: false,
        entries: n,
        line: at,
        seq: e.seq,
        problem: "the entry was changed (its hash does not match)",
      };
    if (e.seq === expectedSeq && last && e.prev !== last.hash)
      return {
        ok: false,
        entries: n - 1,
        line: at - 1,
        seq: last.seq,
        problem: "the entry was changed (the next entry's prev does not match its hash)",
      };
    if (e.seq !== expectedSeq || e.prev !== (last?.hash ?? GENESIS_HASH))
      return {
        ok: false,
        entries: n,
        line: at,
        seq: e.seq,
        problem: `expected seq ${expectedSeq} after ${last ? `seq ${last.seq}` : "the start"}: an entry before it was removed or the entries were reordered`,
      };
    last = { seq: e.seq, hash: e.hash };
    n++;
    if (head && e.seq === head.seq && e.hash !== head.hash)
      return { ok: false, entries: n, line: at, seq: e.seq, problem: "the entry differs from the recorded head" };
  }
  if (head && (last?.seq ?? 0) < head.seq)
    return {
      ok: false,
      entries: n,
      line: lines.length + 1,
      problem: `entries after seq ${last?.seq ?? 0} up to seq ${head.seq} were removed`,
    };
  return last ? { ok: true, entries: n, last } : { ok: true, entries: n };
}
