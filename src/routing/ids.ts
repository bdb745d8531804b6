const ID = /^[a-z0-9][a-z0-9_-]{0,63}$/;

/**
 * Normalizes an agent or account id: trimmed, lowercased; otherwise runs of characters outside
 * `[a-z0-9_-]` become `-`, leading/trailing `-` are stripped, cut to 64. Empty → `fallback`.
 * Source: reference §5.1.
 */
export function normalizeRouteId(raw: string | undefined, fallback: string): string {
  const v = (raw ?? "").trim().toLowerCase();
  if (ID.test(v)) return v;
  const cleaned = v
    .replace(/[^a-z0-9_-]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 64)
    .replace(/-+$/, "");
  return cleaned === "" || !ID.test(cleaned) ? fallback : cleaned;
}

/** {@link normalizeRouteId} with fallback `main`. */
export function normalizeAgentId(raw: string | undefined): string {
  return normalizeRouteId(raw, "main");
}

/** {@link normalizeRouteId} with fallback `default`. */
export function normalizeAccountId(raw: string | undefined): string {
  return normalizeRouteId(raw, "default");
}

/**
 * Encodes a peer or group id for a session key: lowercased (reference §5.1), then every character
 * outside `[a-z0-9_\-.+@#]` (including `:` and `=`) becomes `=<hex code point>.`, so the encoding is
 * injective and a peer id can never fake key structure (`:group:` …). Empty → `fallback`.
 * `caseSensitive` (Signal group ids: base64, where `aB` and `Ab` are different groups; reference §5.1)
 * skips the lowercasing, so uppercase letters are escaped too and distinct ids keep distinct keys.
 */
export function encodeKeyPart(raw: string, fallback: string, opts: { caseSensitive?: boolean } = {}): string {
  const v = opts.caseSensitive ? raw.trim() : raw.trim().toLowerCase();
  if (v === "") return fallback;
  let out = "";
  for (const ch of v) out += /^[a-z0-9_\-.+@#]$/.test(ch) ? ch : `=${(ch.codePointAt(0) ?? 0).toString(16)}.`;
  return out;
}
