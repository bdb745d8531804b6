import { HoldfastError } from "../errors/index.js";

/**
 * Splits `text` into chunks of at most `limit` UTF-16 code units (what platforms such as Telegram
 * count). Splits prefer a paragraph break, then a line break, then a space in the second half of the
 * window; otherwise the text is cut hard (never inside a surrogate pair). The separator at a split is
 * dropped. Blank text → no chunks.
 * @throws HoldfastError HF_INTERNAL when `limit` < 2 (a caller bug: limits come from validated config).
 */
export function chunkText(text: string, limit: number): string[] {
  if (limit < 2) throw new HoldfastError("HF_INTERNAL", "chunk limit must be at least 2");
  const out: string[] = [];
  let rest = text;
  while (rest.length > limit) {
    const cut = splitPoint(rest, limit);
    out.push(rest.slice(0, cut.end));
    rest = rest.slice(cut.next);
  }
  if (rest.trim() !== "") out.push(rest);
  return out.filter((c) => c.trim() !== "");
}

function splitPoint(text: string, limit: number): { end: number; next: number } {
  const window = text.slice(0, limit + 1);
  for (const sep of ["\n\n", "\n", " "]) {
    const at = window.lastIndexOf(sep, limit - (sep.length - 1));
    if (at >= limit / 2) return { end: at, next: at + sep.length };
  }
  let end = limit;
  const code = text.charCodeAt(end - 1);
  if (code >= 0xd800 && code <= 0xdbff) end -= 1;
  return { end, next: end };
}
