import { DETECTORS } from "./detectors.js";
import { FULL_MASK, isMasked, maskSecret } from "./mask.js";
import { parseRedactPattern } from "./patterns.js";
import { secretMatcher } from "./secret-forms.js";

/** Where the configured secrets' values come from (the live secrets runtime, or a fixed list). */
export interface SecretValueSource {
  /** Values to mask, longest first; a new array after each change (the redactor caches on identity). */
  values(): readonly string[];
}

/** Options of {@link Redactor}. */
export interface RedactorOptions {
  /** `logging.redactPatterns` (validated by the config schema; invalid entries are skipped here). */
  readonly patterns?: readonly string[];
  readonly secrets?: SecretValueSource;
}

/**
 * Masks secrets in text: the configured secrets' actual values in any of their common encodings
 * (see {@link secretMatcher}), replaced entirely by `***`; then the built-in detectors (API-key
 * shapes, `Bearer …`, `password=…`, private keys, URL passwords) and `logging.redactPatterns`, masked
 * by {@link maskSecret} (a hint of 6 + 4 characters for long matches, as the reference does). Used for
 * log lines, transcripts, status output, error messages sent to clients and `holdfast logs` output.
 * Source: seeds security-architecture.md "Log Redaction"; reference §8.4; the containment issue
 * (configured secrets are masked entirely).
 */
export class Redactor {
  private readonly custom: RegExp[];

  constructor(private readonly opts: RedactorOptions = {}) {
    this.custom = (opts.patterns ?? []).flatMap((p) => {
      const parsed = parseRedactPattern(p);
      return parsed.ok ? [parsed.re] : [];
    });
  }

  /** Returns `text` with every secret masked. Idempotent for the built-in detectors. */
  redact(text: string): string {
    if (text.length === 0) return text;
    let out = this.maskValues(text);
    for (const d of DETECTORS) out = out.replace(d.re, keepAndMask);
    for (const re of this.custom) out = out.replace(re, (m) => (isMasked(m) ? m : maskSecret(m)));
    return out;
  }

  /**
   * Redacts one rendered log line. A JSON line is parsed and every string (keys and values) redacted
   * on its own, so a pattern can never cut the JSON apart; other lines are redacted as text.
   */
  redactLine(line: string): string {
    const body = line.endsWith("\n") ? line.slice(0, -1) : line;
    const nl = body.length === line.length ? "" : "\n";
    if (!body.startsWith("{")) return this.redact(body) + nl;
    try {
      return JSON.stringify(this.redactValue(JSON.parse(body))) + nl;
    } catch {
      return this.redact(body) + nl;
    }
  }

  /** Applies {@link redact} to every string (and object key) inside `value`; returns a copy. */
  redactValue<T>(value: T): T {
    if (typeof value === "string") return this.redact(value) as T;
    if (Array.isArray(value)) return value.map((v) => this.redactValue(v)) as T;
    if (value !== null && typeof value === "object") {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value)) out[this.redact(k)] = this.redactValue(v);
      return out as T;
    }
    return value;
  }

  private maskValues(text: string): string {
    const values = this.opts.secrets?.values() ?? [];
    return values.length === 0 ? text : secretMatcher(values).mask(text, FULL_MASK);
  }
}

function keepAndMask(_m: string, before: string, secret: string, after: string | undefined): string {
  return `${before}${isMasked(secret) ? secret : maskSecret(secret)}${typeof after === "string" ? after : ""}`;
}
