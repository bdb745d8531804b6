import safeRegex from "safe-regex2";

/** A redact pattern as written in `logging.redactPatterns`: `"regex"` or `"/regex/flags"` (flags i, m, s, u). */
export type PatternParse = { readonly ok: true; readonly re: RegExp } | { readonly ok: false; readonly reason: string };

/**
 * Compiles one `logging.redactPatterns` entry (global flag added). Patterns that do not compile, use
 * other flags, match the empty string or risk catastrophic backtracking (safe-regex2) are refused, so
 * a configured pattern can never silently fail to redact or stall logging.
 */
export function parseRedactPattern(text: string): PatternParse {
  const slashed = /^\/(.+)\/([a-z]*)$/s.exec(text);
  const source = slashed ? (slashed[1] as string) : text;
  const flags = slashed ? (slashed[2] as string) : "";
  if (!/^[imsu]*$/.test(flags)) return { ok: false, reason: `unsupported flags "${flags}" (allowed: i, m, s, u)` };
  let re: RegExp;
  try {
    re = new RegExp(source, `${[...new Set(flags)].join("")}g`);
  } catch (err) {
    return { ok: false, reason: `not a valid regular expression (${(err as Error).message})` };
  }
  if (!safeRegex(re)) return { ok: false, reason: "the pattern risks catastrophic backtracking (nested repetition)" };
  if (new RegExp(re.source, re.flags.replace("g", "")).test(""))
    return { ok: false, reason: "the pattern matches the empty string" };
  return { ok: true, re };
}
