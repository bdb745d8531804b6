import { escapeRegExp } from "../infra/index.js";
import { DETECTORS } from "./detectors.js";
import { isMasked, maskSecret } from "./mask.js";
import { parseRedactPattern } from "./patterns.js";

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

const MAX_PASSES = 8;

/**
 * Masks secrets in text: the configured secrets' actual values (also JSON- and URL-escaped forms, any
 * letter case), then the built-in detectors (API-key shapes, `Bearer …`, `password=…`, private keys,
 * URL passwords), then `logging.redactPatterns`. Masks follow {@link maskSecret}. Used for log lines,
 * transcripts, error messages sent to clients and `holdfast logs` output.
 * Source: seeds security-architecture.md "Log Redaction"; reference §8.4.
 */
export class Redactor {
  private readonly custom: RegExp[];
  private lastValues: readonly string[] | undefined;
  private valuesRe: RegExp | undefined;

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
    const re = this.valuesRegex();
    if (!re) return text;
    let out = text;
    // Masking can bring an overlapping occurrence back together (periodic values): repeat until stable.
    for (let i = 0; i < MAX_PASSES; i++) {
      re.lastIndex = 0;
      if (!re.test(out)) break;
      out = out.replace(re, (m) => maskSecret(m));
    }
    return out;
  }

  private valuesRegex(): RegExp | undefined {
    const values = this.opts.secrets?.values() ?? [];
    if (values === this.lastValues) return this.valuesRe;
    this.lastValues = values;
    const forms = new Set<string>();
    for (const v of values) {
      forms.add(v);
      forms.add(JSON.stringify(v).slice(1, -1));
      forms.add(encodeURIComponent(v));
    }
    const alternatives = [...forms].sort((a, b) => b.length - a.length).map(escapeRegExp);
    this.valuesRe = alternatives.length ? new RegExp(alternatives.join("|"), "gi") : undefined;
    return this.valuesRe;
  }
}

function keepAndMask(_m: string, before: string, secret: string, after: string | undefined): string {
  return `${before}${isMasked(secret) ? secret : maskSecret(secret)}${typeof after === "string" ? after : ""}`;
}
