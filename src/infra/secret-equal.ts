import { timingSafeEqual } from "node:crypto";

/**
 * Compares two secrets in constant time (relative to the longer input): both are padded to the same
 * byte length before `crypto.timingSafeEqual`, and the lengths must also match. Non-strings and blank
 * strings never match (callers must not treat a blank secret as configured).
 * Source: reference openclaw-semantics.md §3.2.
 */
export function secretEquals(provided: unknown, expected: unknown): boolean {
  if (typeof provided !== "string" || typeof expected !== "string") return false;
  if (provided.length === 0 || expected.length === 0) return false;
  const a = Buffer.from(provided, "utf8");
  const b = Buffer.from(expected, "utf8");
  const len = Math.max(a.length, b.length);
  const pa = Buffer.alloc(len);
  const pb = Buffer.alloc(len);
  a.copy(pa);
  b.copy(pb);
  const same = timingSafeEqual(pa, pb);
  return same && a.length === b.length;
}
