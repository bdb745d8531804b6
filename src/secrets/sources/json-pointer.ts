/**
 * Reads the value at an RFC 6901 JSON pointer (`/a/b`, `~1` = `/`, `~0` = `~`). Only own properties
 * and array indexes are followed. Returns `undefined` when the pointer does not resolve.
 */
export function readJsonPointer(doc: unknown, pointer: string): unknown {
  if (pointer === "") return doc;
  if (!pointer.startsWith("/")) return undefined;
  let cur: unknown = doc;
  for (const raw of pointer.slice(1).split("/")) {
    const key = raw.replace(/~1/g, "/").replace(/~0/g, "~");
    if (Array.isArray(cur)) {
      if (!/^(0|[1-9][0-9]*)$/.test(key)) return undefined;
      cur = cur[Number(key)];
    } else if (cur !== null && typeof cur === "object" && Object.hasOwn(cur, key)) {
      cur = (cur as Record<string, unknown>)[key];
    } else {
      return undefined;
    }
  }
  return cur;
}

/** Sets `value` at a JSON pointer, creating objects on the way (arrays are not created). Returns a copy. */
export function writeJsonPointer(doc: unknown, pointer: string, value: unknown): Record<string, unknown> {
  const root: Record<string, unknown> =
    doc !== null && typeof doc === "object" && !Array.isArray(doc)
      ? structuredClone(doc as Record<string, unknown>)
      : {};
  const keys = pointer
    .slice(1)
    .split("/")
    .map((k) => k.replace(/~1/g, "/").replace(/~0/g, "~"));
  let cur: Record<string, unknown> = root;
  for (const k of keys.slice(0, -1)) {
    const next = Object.hasOwn(cur, k) ? cur[k] : undefined;
    if (next === null || typeof next !== "object" || Array.isArray(next)) cur[k] = {};
    cur = cur[k] as Record<string, unknown>;
  }
  cur[keys[keys.length - 1] as string] = value;
  return root;
}
