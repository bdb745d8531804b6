/** Applies `f` to every string inside `value`; objects and arrays are copied, other values kept. */
export function mapStringsDeep<T>(value: T, f: (s: string) => string): T {
  if (typeof value === "string") return f(value) as T;
  if (Array.isArray(value)) return value.map((v: unknown) => mapStringsDeep(v, f)) as T;
  if (value !== null && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = mapStringsDeep(v, f);
    return out as T;
  }
  return value;
}
