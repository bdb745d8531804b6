/**
 * A conservative estimate of a secret's entropy in bits, in the spirit of zxcvbn (Wheeler, USENIX
 * Security 2016) without its 1.9 MB of dictionaries: the secret is split, by dynamic programming,
 * into the cheapest sequence of pieces an attacker would try first, and the bits of the pieces add
 * up. A piece is one of:
 * - a single character: log2 of the character classes the whole secret uses (26 lower, 26 upper,
 *   10 digits, 33 symbols, 100 for anything else);
 * - a repeat of text seen earlier (`aaaa`, `abcabc`, `hunter2hunter2`): log2(offset) + log2(length) + 1;
 * - a run with a constant step of at most 3 (`abcdef`, `13579`, `zyx`): one character + log2(length) + 2;
 * - a keyboard run along a row of a US keyboard, either way (`qwerty`, `asdf`, `0987`): 7 + log2(length);
 * - a common password word or placeholder (with l33t digits and capitals): log2(list size) + 2.
 *
 * It never exceeds length × log2(classes). Random strings score about what their alphabet gives
 * (64 hex characters ≈ 330 bits, as the class count over-approximates hex); `aaaaaaaa` scores about 8.
 * Source: the containment issue ("weak secrets judged by estimated entropy, not length").
 */
export function estimateEntropyBits(secret: string): number {
  const chars = secret.split("");
  const n = chars.length;
  if (n === 0) return 0;
  const perChar = Math.log2(alphabetSize(chars));
  const best = new Float64Array(n + 1).fill(Infinity);
  best[0] = 0;
  const unleet = secret.toLowerCase().replace(/[013457@$]/g, (c) => LEET[c] ?? c);
  for (let i = 0; i < n; i++) {
    const here = best[i] as number;
    const relax = (len: number, bits: number) => {
      if (here + bits < (best[i + len] as number)) best[i + len] = here + bits;
    };
    relax(1, perChar);
    for (const [len, bits] of pieces(chars, unleet, i, perChar)) relax(len, bits);
  }
  return Math.min(best[n] as number, n * perChar);
}

/** Every patterned piece starting at `i`: [length, bits]. */
function pieces(chars: readonly string[], unleet: string, i: number, perChar: number): [number, number][] {
  const out: [number, number][] = [];
  const n = chars.length;
  const text = chars.join("");
  for (let len = 3; i + len <= n; len++) {
    const piece = chars.slice(i, i + len).join("");
    const at = text.indexOf(piece);
    if (at < 0 || at >= i) break;
    out.push([len, Math.log2(i - at + 1) + Math.log2(len) + 1]);
  }
  const codes = chars.map((c) => c.charCodeAt(0));
  const step = (codes[i + 1] ?? 0) - (codes[i] ?? 0);
  if (step !== 0 && Math.abs(step) <= 3) {
    let len = 2;
    while (i + len < n && (codes[i + len] as number) - (codes[i + len - 1] as number) === step) len++;
    for (let l = 3; l <= len; l++) out.push([l, perChar + Math.log2(l) + 2]);
  }
  for (const row of KEYBOARD_ROWS) {
    let len = 0;
    while (i + len < n && row.includes(text.slice(i, i + len + 1).toLowerCase())) len++;
    for (let l = 4; l <= len; l++) out.push([l, 7 + Math.log2(l)]);
  }
  for (const w of COMMON_WORDS) if (unleet.startsWith(w, i)) out.push([w.length, WORD_BITS]);
  return out;
}

function alphabetSize(chars: readonly string[]): number {
  let size = 0;
  if (chars.some((c) => c >= "a" && c <= "z")) size += 26;
  if (chars.some((c) => c >= "A" && c <= "Z")) size += 26;
  if (chars.some((c) => c >= "0" && c <= "9")) size += 10;
  if (chars.some((c) => c.charCodeAt(0) < 128 && !/[a-z0-9]/i.test(c))) size += 33;
  if (chars.some((c) => c.charCodeAt(0) >= 128)) size += 100;
  return Math.max(size, 2);
}

/** Rows of a US keyboard, each also reversed. */
const KEYBOARD_ROWS = ["`1234567890-=", "qwertyuiop[]\\", "asdfghjkl;'", "zxcvbnm,./"].flatMap((r) => [
  r,
  [...r].reverse().join(""),
]);

const LEET: Readonly<Record<string, string>> = {
  "0": "o",
  "1": "i",
  "3": "e",
  "4": "a",
  "5": "s",
  "7": "t",
  "@": "a",
  $: "s",
};

/** Words every guesser tries first: common passwords, placeholders, and this product's own names. */
const COMMON_WORDS = [
  "password",
  "passwd",
  "pass",
  "secret",
  "token",
  "admin",
  "administrator",
  "root",
  "user",
  "guest",
  "login",
  "letmein",
  "welcome",
  "changeme",
  "change",
  "default",
  "qwerty",
  "master",
  "dragon",
  "monkey",
  "shadow",
  "sunshine",
  "iloveyou",
  "love",
  "football",
  "baseball",
  "superman",
  "batman",
  "trustno",
  "princess",
  "hello",
  "test",
  "demo",
  "example",
  "sample",
  "holdfast",
  "openclaw",
  "gateway",
  "replace",
  "random",
  "long",
  "strong",
  "secure",
].filter((w) => w.length >= 4);

const WORD_BITS = Math.log2(COMMON_WORDS.length) + 2;
