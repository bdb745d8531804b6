/**
 * Per-channel sender id normalization, applied alike to configured `allowFrom` entries, pairing-store
 * entries and the sender ids adapters report, so that matching is an exact string comparison.
 * Source: reference openclaw-semantics.md §4.2.
 */

/** An `allowFrom`-style list after normalization. */
export interface AllowList {
  /** `"*"` was listed: everyone matches. */
  readonly wildcard: boolean;
  /** Normalized ids. */
  readonly ids: ReadonlySet<string>;
  /** Entries that can never match on this channel (e.g. Telegram `@username`); inert, warned about. */
  readonly invalid: readonly string[];
}

/** An empty allow list (matches nobody). */
export const EMPTY_ALLOW_LIST: AllowList = { wildcard: false, ids: new Set(), invalid: [] };

const PREFIXES: Readonly<Record<string, readonly string[]>> = {
  telegram: ["telegram:", "tg:"],
  discord: ["discord:", "user:"],
  slack: ["slack:", "user:"],
  msteams: ["msteams:", "user:"],
  matrix: ["matrix:"],
};

/**
 * Normalizes one sender id for `channel`. Returns undefined when the value can never be a sender id
 * of that channel (it then matches nothing).
 * - telegram: strip `telegram:`/`tg:` (case-insensitive); the rest must be a decimal id (`@user` never matches);
 * - whatsapp/signal: strip one `scheme:` prefix, keep digits, prefix `+` (Signal `uuid:<id>` kept lowercased);
 * - others: strip the channel's prefixes, trim, lowercase.
 */
export function normalizeSenderId(channel: string, raw: string | number): string | undefined {
  let v = String(raw).trim();
  if (v === "" || v === "*") return undefined;
  const ch = channel.toLowerCase();
  if (ch === "whatsapp" || ch === "signal") return normalizePhone(ch, v);
  for (const p of PREFIXES[ch] ?? [`${ch}:`]) {
    if (v.toLowerCase().startsWith(p)) v = v.slice(p.length).trim();
  }
  if (ch === "telegram") return /^-?\d{1,20}$/.test(v) ? String(BigInt(v)) : undefined;
  return v === "" ? undefined : v.toLowerCase();
}

function normalizePhone(ch: string, v: string): string | undefined {
  if (ch === "signal" && /^uuid:/i.test(v)) return `uuid:${v.slice(5).trim().toLowerCase()}`;
  const stripped = v.replace(/^[a-z][a-z0-9+.-]*:/i, "");
  const digits = stripped.replace(/\D/g, "");
  return digits.length >= 3 ? `+${digits}` : undefined;
}

/** Normalizes a configured list (`allowFrom`, `groupAllowFrom`, pairing-store entries). */
export function parseAllowList(channel: string, entries: readonly (string | number)[] | undefined): AllowList {
  if (!entries || entries.length === 0) return EMPTY_ALLOW_LIST;
  const ids = new Set<string>();
  const invalid: string[] = [];
  let wildcard = false;
  for (const e of entries) {
    if (String(e).trim() === "*") {
      wildcard = true;
      continue;
    }
    const n = normalizeSenderId(channel, e);
    if (n === undefined) invalid.push(String(e));
    else ids.add(n);
  }
  return { wildcard, ids, invalid };
}

/** Union of allow lists. */
export function mergeAllowLists(...lists: AllowList[]): AllowList {
  return {
    wildcard: lists.some((l) => l.wildcard),
    ids: new Set(lists.flatMap((l) => [...l.ids])),
    invalid: lists.flatMap((l) => l.invalid),
  };
}

/** True when the list has no entry at all (no ids, no wildcard). */
export function isEmptyAllowList(list: AllowList): boolean {
  return !list.wildcard && list.ids.size === 0;
}

/** `"*"` matches everyone; otherwise exact match of the normalized sender id. */
export function allowListMatches(list: AllowList, normalizedSenderId: string | undefined): boolean {
  if (list.wildcard) return true;
  return normalizedSenderId !== undefined && list.ids.has(normalizedSenderId);
}
