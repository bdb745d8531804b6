import { escapeRegExp } from "../infra/index.js";

/**
 * Finds configured secret values in text, also when they are written in a common encoding: JSON- and
 * URL-escaped, reversed, hex, base64 and base64url (at any byte alignment inside a longer encoded
 * string), and spaced out or separated by any punctuation (`s k - 1 2 3`, `de:ad:be:ef`, base64
 * wrapped over lines). Plain, escaped, reversed and hex forms match in any letter case; base64 forms
 * match exactly. The forms are computed once per list of values ({@link secretMatcher} caches on the
 * array's identity), so a scan is a few regular-expression passes over the text.
 *
 * Encoded and separated forms are looked for only for values of at least
 * {@link MIN_ENCODED_SECRET_CHARS} characters (shorter ones would match ordinary text); separated forms
 * compare the letters and digits of the value (its "skeleton") with the letters and digits of the
 * text, so they need a skeleton of at least that many characters too.
 * Source: the containment issue ("encoded forms of a configured secret").
 */
export interface SecretMatcher {
  /** True when `text` holds a configured secret in any form. */
  test(text: string): boolean;
  /** `text` with every occurrence of a secret (any form, with the separators inside it) replaced by `mask`. */
  mask(text: string, mask: string): string;
  /**
   * Length of the longest end of `text` that could be the beginning of a secret form: a stream must
   * hold that much back until more text shows whether it is one.
   */
  heldBack(text: string): number;
}

/** Shortest value whose encoded and separated forms are looked for (characters). */
export const MIN_ENCODED_SECRET_CHARS = 8;

interface Compiled {
  /** Case-insensitive literal forms: the value, its JSON and URL escapes, reversed, hex. */
  readonly literal?: RegExp;
  /** Case-sensitive forms: base64 and base64url slices. */
  readonly exact?: RegExp;
  /** Lowercase letters-and-digits forms, matched against the text's skeleton. */
  readonly skeleton?: RegExp;
  readonly literalForms: readonly string[];
  readonly exactForms: readonly string[];
  readonly skeletonForms: readonly string[];
}

const cache = new WeakMap<readonly string[], SecretMatcher>();

/** The matcher for `values` (cached per array, so a secrets snapshot is compiled once). */
export function secretMatcher(values: readonly string[]): SecretMatcher {
  let m = cache.get(values);
  if (!m) {
    m = new FormsMatcher(compile(values));
    cache.set(values, m);
  }
  return m;
}

function compile(values: readonly string[]): Compiled {
  const literal = new Set<string>();
  const exact = new Set<string>();
  const skeleton = new Set<string>();
  for (const v of values) {
    if (v.length === 0) continue;
    literal.add(v.toLowerCase());
    literal.add(JSON.stringify(v).slice(1, -1).toLowerCase());
    literal.add(encodeURIComponent(v).toLowerCase());
    if (v.length < MIN_ENCODED_SECRET_CHARS) continue;
    const bytes = Buffer.from(v, "utf8");
    const reversed = [...v].reverse().join("");
    const hex = bytes.toString("hex");
    literal.add(reversed.toLowerCase());
    literal.add(hex);
    const b64 = [...base64Slices(bytes, "base64"), ...base64Slices(bytes, "base64url")];
    for (const s of b64) if (s.length >= MIN_ENCODED_SECRET_CHARS) exact.add(s);
    for (const f of [v, reversed, hex, encodeURIComponent(v), ...b64]) {
      const s = skeletonOf(f);
      if (s.length >= MIN_ENCODED_SECRET_CHARS) skeleton.add(s);
    }
  }
  const alternation = (forms: Set<string>, flags: string) =>
    forms.size === 0
      ? undefined
      : new RegExp(
          [...forms]
            .sort((a, b) => b.length - a.length)
            .map(escapeRegExp)
            .join("|"),
          flags,
        );
  const lit = alternation(literal, "gi");
  const ex = alternation(exact, "g");
  const sk = alternation(skeleton, "g");
  return {
    ...(lit ? { literal: lit } : {}),
    ...(ex ? { exact: ex } : {}),
    ...(sk ? { skeleton: sk } : {}),
    literalForms: [...literal],
    exactForms: [...exact],
    skeletonForms: [...skeleton],
  };
}

/**
 * The base64 characters that depend only on `bytes`, for each of the three byte alignments the value
 * can have inside a longer encoded string (the characters at both ends that mix in neighbouring
 * bytes are left out).
 */
export function base64Slices(bytes: Buffer, encoding: "base64" | "base64url"): string[] {
  const out: string[] = [];
  for (let k = 0; k < 3; k++) {
    const enc = Buffer.concat([Buffer.alloc(k), bytes]).toString(encoding);
    out.push(enc.slice(Math.ceil((8 * k) / 6), Math.floor((8 * (k + bytes.length)) / 6)));
  }
  return out;
}

/** The lowercase ASCII letters and digits of `text`. */
function skeletonOf(text: string): string {
  return text.replace(/[^a-z0-9]/gi, "").toLowerCase();
}

/** The skeleton of `text` and, for each of its characters, the index in `text` it came from. */
function skeletonWithIndex(text: string): { skel: string; at: Uint32Array } {
  const at = new Uint32Array(text.length);
  let skel = "";
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    const lower = c >= 65 && c <= 90 ? c + 32 : c;
    if ((lower >= 97 && lower <= 122) || (lower >= 48 && lower <= 57)) {
      skel += String.fromCharCode(lower);
      at[n++] = i;
    }
  }
  return { skel, at };
}

type Span = [start: number, end: number];

/** How many characters of text per letter of a separated secret the stream hold-back looks at. */
const SEPARATED_SPREAD = 8;

/** Every match of `re` in `text`, overlapping ones included. */
function spansOf(re: RegExp | undefined, text: string, out: Span[]): void {
  if (!re) return;
  re.lastIndex = 0;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    out.push([m.index, m.index + m[0].length]);
    re.lastIndex = m.index + 1;
  }
}

class FormsMatcher implements SecretMatcher {
  private readonly maxForm: number;
  private readonly maxSkeleton: number;

  constructor(private readonly c: Compiled) {
    this.maxForm = Math.max(0, ...[...c.literalForms, ...c.exactForms].map((f) => f.length));
    this.maxSkeleton = Math.max(0, ...c.skeletonForms.map((f) => f.length));
  }

  test(text: string): boolean {
    if (text.length === 0) return false;
    for (const re of [this.c.literal, this.c.exact]) {
      if (!re) continue;
      re.lastIndex = 0;
      if (re.test(text)) return true;
    }
    return this.skeletonMatches(text);
  }

  private skeletonMatches(text: string): boolean {
    if (!this.c.skeleton) return false;
    this.c.skeleton.lastIndex = 0;
    return this.c.skeleton.test(skeletonOf(text));
  }

  mask(text: string, mask: string): string {
    if (text.length === 0) return text;
    const spans: Span[] = [];
    spansOf(this.c.literal, text, spans);
    spansOf(this.c.exact, text, spans);
    // The skeleton with its index map is built only when the plain skeleton (one native replace) matches.
    if (this.c.skeleton && this.skeletonMatches(text)) {
      const { skel, at } = skeletonWithIndex(text);
      const found: Span[] = [];
      spansOf(this.c.skeleton, skel, found);
      for (const [s, e] of found) spans.push([at[s] as number, (at[e - 1] as number) + 1]);
    }
    if (spans.length === 0) return text;
    spans.sort((a, b) => a[0] - b[0]);
    let out = "";
    let pos = 0;
    let cur: Span | undefined;
    for (const sp of spans) {
      if (cur && sp[0] <= cur[1]) cur[1] = Math.max(cur[1], sp[1]);
      else {
        if (cur) [out, pos] = [out + text.slice(pos, cur[0]) + mask, cur[1]];
        cur = [sp[0], sp[1]];
      }
    }
    if (cur) [out, pos] = [out + text.slice(pos, cur[0]) + mask, cur[1]];
    return out + text.slice(pos);
  }

  heldBack(text: string): number {
    const tail = text.slice(-this.maxForm);
    const lower = tail.toLowerCase();
    let hold = lower.length === tail.length ? 0 : tail.length;
    hold = Math.max(
      hold,
      longestPrefixSuffix(lower, this.c.literalForms),
      longestPrefixSuffix(tail, this.c.exactForms),
    );
    if (this.c.skeletonForms.length === 0) return hold;
    // A separated form rarely spreads over more than a few characters per letter: look at the end only.
    const base = Math.max(0, text.length - SEPARATED_SPREAD * this.maxSkeleton);
    const { skel, at } = skeletonWithIndex(text.slice(base));
    const k = longestPrefixSuffix(skel, this.c.skeletonForms);
    return k === 0 ? hold : Math.max(hold, text.length - base - (at[skel.length - k] as number));
  }
}

/** Length of the longest end of `text` that is a proper beginning of one of `forms`. */
function longestPrefixSuffix(text: string, forms: readonly string[]): number {
  let best = 0;
  for (const f of forms) {
    for (let k = Math.min(f.length - 1, text.length); k > best; k--) {
      if (text.endsWith(f.slice(0, k))) {
        best = k;
        break;
      }
    }
  }
  return best;
}
