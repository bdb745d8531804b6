/**
 * A built-in detector. Group 1 is kept, group 2 is the secret (masked), group 3 (optional) is kept.
 * Source: the secrets issue (API-key shapes, Bearer, password=, private keys); reference §8.4.
 */
export interface Detector {
  readonly name: string;
  readonly re: RegExp;
}

const KEY_WORDS =
  "api[_-]?key|apikey|secret|token|password|passwd|pwd|passphrase|cookie|credentials?|signature|private[_-]?key|access[_-]?key";

/** One ordinary character of a `key: value` value: not a quote, space, separator or brace. */
const KV_CHAR = "[^\\s\"'\\\\&,;{}<>]";

/** What continues a `key: value` value after its first character (see {@link KV_VALUE}). */
const KV_MORE = `(?:${KV_CHAR}|\\{|\\}(?=[{}]*${KV_CHAR}))`;

/** A `${…}` inside a value. */
const KV_REF = "\\$\\{[^\\s{}\"']*\\}";

/**
 * A `${VAR}` reference (config substitution syntax) is a name, not a secret: `apiKey: "${OPENAI_API_KEY}"`
 * stays readable, so an example or a config excerpt can be copied as printed (the value it names is
 * masked wherever it appears, as a configured secret). Only a whole value is a reference: `${A}rest`
 * and `${A}{x}` are masked.
 */
const NOT_ENV_REF = `(?!\\$\\{[A-Z_][A-Z0-9_]*\\}(?!${KV_MORE}))`;

/**
 * The value of a `key: value` pair: up to a quote, space or separator. Braces inside it belong to
 * the value (`hunter{2}x`, `ab}cd` and `pa{ss` are masked whole, and a `${…}` inside it too), so a
 * secret that holds one is not cut at it. A brace is not the value when it encloses the pair (the `}`
 * of `{password=x}`) or opens a structure (`credentials: { "token": … }`): it starts the value only
 * when an ordinary character follows it (after any braces), and a `}` ends the value unless one does.
 */
const KV_VALUE = `(?:${KV_REF}|${KV_CHAR}|[{}](?=[{}]*${KV_CHAR}))(?:${KV_REF}|${KV_MORE})*`;

/** {@link NOT_ENV_REF} for a command-line value (which ends only at a space or quote). */
const CLI_NOT_ENV_REF = "(?!\\$\\{[A-Z_][A-Z0-9_]*\\}(?![^\\s\"'\\\\]))";

const VENDOR = [
  "sk-(?:ant-|proj-|or-)?[A-Za-z0-9_-]{16,}",
  "(?:sk|rk|pk)_(?:live|test)_[A-Za-z0-9]{10,}",
  "gh[pousr]_[A-Za-z0-9]{20,}",
  "github_pat_[A-Za-z0-9_]{20,}",
  "glpat-[A-Za-z0-9_-]{20,}",
  "xox[abprs]-[A-Za-z0-9-]{10,}",
  "xapp-[A-Za-z0-9-]{10,}",
  "AKIA[0-9A-Z]{16}",
  "AIza[0-9A-Za-z_-]{30,}",
  "ya29\\.[0-9A-Za-z_-]{20,}",
  "gsk_[A-Za-z0-9]{20,}",
  "hf_[A-Za-z0-9]{20,}",
  "npm_[A-Za-z0-9]{30,}",
  "pypi-[A-Za-z0-9_-]{30,}",
  "pplx-[A-Za-z0-9]{20,}",
  "r8_[A-Za-z0-9]{20,}",
  "SG\\.[A-Za-z0-9_-]{16,}\\.[A-Za-z0-9_-]{16,}",
  "eyJ[A-Za-z0-9_-]{8,}\\.eyJ[A-Za-z0-9_-]{8,}\\.[A-Za-z0-9_-]{8,}",
  "\\d{6,12}:[A-Za-z0-9_-]{30,}",
  "[MNO][A-Za-z0-9_-]{23,27}\\.[A-Za-z0-9_-]{6}\\.[A-Za-z0-9_-]{27,40}",
].join("|");

/** Every built-in detector, in the order they are applied. */
export const DETECTORS: readonly Detector[] = [
  { name: "private_key", re: /()(-----BEGIN[A-Z0-9 ]*PRIVATE KEY-----[\s\S]*?-----END[A-Z0-9 ]*PRIVATE KEY-----)/g },
  {
    name: "key_value",
    re: new RegExp(
      `(\\b[A-Za-z0-9_.-]*?(?:${KEY_WORDS})\\\\?["']?\\s*[:=]\\s*\\\\?["']?)${NOT_ENV_REF}(${KV_VALUE})`,
      "gi",
    ),
  },
  { name: "cli_flag", re: new RegExp(`(--(?:${KEY_WORDS})[= ])${CLI_NOT_ENV_REF}([^\\s"'\\\\]+)`, "gi") },
  { name: "bearer", re: /(\b(?:Bearer|Basic)\s+)([A-Za-z0-9._~+/=-]{8,})/gi },
  { name: "url_userinfo", re: /(\b[a-z][a-z0-9+.-]*:\/\/[^\s/:@"']+:)([^\s@/"']+)(@)/gi },
  { name: "slack_webhook", re: /(https:\/\/hooks\.slack\.com\/services\/)([A-Za-z0-9/]+)/g },
  { name: "api_key_shape", re: new RegExp(`()(?<![A-Za-z0-9_])(${VENDOR})(?![A-Za-z0-9_])`, "g") },
];
