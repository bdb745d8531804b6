/**
 * Escapes `s` for use as a literal inside a regular expression. Only syntax characters and `/` are
 * escaped, so the result is valid with and without the `u` flag (`\-` outside a class is not).
 */
export function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
}
