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
  /**
   * The entries of {@link invalid} that look like names (`alice`, `@alice`), lowercased without `@`. They
   * match a sender's platform name only where the account sets `dangerouslyAllowNameMatching: true`.
   */
  readonly names: ReadonlySet<string>;
}

/** An empty allow list (matches nobody). */
export const EMPTY_ALLOW_LIST: AllowList = { wildcard: false, ids: new Set(), invalid: [], names: new Set() };

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
 * - slack: strip `slack:`/`user:` and a `<@…>` wrapper; a user id `U…`/`W…` (uppercased); names never match;
 * - discord: strip `discord:`/`user:` and a `<@…>`/`<@!…>` wrapper; a snowflake (digits); names never match;
 * - bluebubbles/imessage: strip the prefix; an Apple ID email (lowercased) or a phone number (E.164);
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
  if (ch === "slack" || ch === "discord") return platformUserId(ch, v);
  if (ch === "bluebubbles" || ch === "imessage") return appleHandle(v);
  return v === "" ? undefined : v.toLowerCase();
}

/** Slack user ids (`U…`, `W…` on Enterprise Grid) and Discord snowflakes; `<@id>` mention targets accepted. */
function platformUserId(ch: "slack" | "discord", v: string): string | undefined {
  const inner = /^<@!?([^>|]+)(?:\|[^>]*)?>$/.exec(v)?.[1] ?? v;
  if (ch === "discord") return /^\d{5,20}$/.test(inner) ? inner : undefined;
  const id = inner.toUpperCase();
  return /^[UW][A-Z0-9]{2,20}$/.test(id) ? id : undefined;
}

/** iMessage handles: an Apple ID email (lowercased) or a phone number (E.164, as WhatsApp's). */
function appleHandle(v: string): string | undefined {
  if (v.includes("@")) return /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(v) ? v.toLowerCase() : undefined;
  return /^[+\d\s().-]+$/.test(v) ? normalizePhone("bluebubbles", v) : undefined;
}

/** A configured entry that is not an id, read as a name (`@alice` → `alice`); undefined when blank. */
export function nameEntry(raw: string | number): string | undefined {
  const v = String(raw).trim().replace(/^@/, "").toLowerCase();
  return v === "" ? undefined : v;
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
  const names = new Set<string>();
  let wildcard = false;
  for (const e of entries) {
    if (String(e).trim() === "*") {
      wildcard = true;
      continue;
    }
    const n = normalizeSenderId(channel, e);
    if (n !== undefined) {
      ids.add(n);
      continue;
    }
    invalid.push(String(e));
    const name = nameEntry(e);
    if (name !== undefined) names.add(name);
  }
  return { wildcard, ids, invalid, names };
}

/** Union of allow lists. */
export function mergeAllowLists(...lists: AllowList[]): AllowList {
  return {
    wildcard: lists.some((l) => l.wildcard),
    ids: new Set(lists.flatMap((l) => [...l.ids])),
    invalid: lists.flatMap((l) => l.invalid),
    names: new Set(lists.flatMap((l) => [...l.names])),
  };
}

/** True when the list has no entry at all (no ids, no wildcard). */
export function isEmptyAllowList(list: AllowList): boolean {
  return !list.wildcard && list.ids.size === 0;
}

/**
 * `"*"` matches everyone; otherwise exact match of the normalized sender id. `senderNames` (the sender's
 * platform names, mutable and re-usable by others) are compared with the list's name entries only when
 * the caller passes them, i.e. under `dangerouslyAllowNameMatching: true` (reference §4.1).
 */
export function allowListMatches(
  list: AllowList,
  normalizedSenderId: string | undefined,
  senderNames: readonly string[] = [],
): boolean {
  if (list.wildcard) return true;
  if (normalizedSenderId !== undefined && list.ids.has(normalizedSenderId)) return true;
  return senderNames.some((n) => {
    const name = nameEntry(n);
    return name !== undefined && list.names.has(name);
  });
}
