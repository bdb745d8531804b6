/** Read access to resolved secrets: what stages need (a snapshot or the live runtime). */
export interface SecretsView {
  /** The resolved value at a config key path (e.g. `models.providers.openai.apiKey`). */
  get(path: string): string | undefined;
  /** Every secret value to keep out of logs and outbound text, longest first (values under 4 chars are skipped). */
  values(): readonly string[];
  /** Key paths that hold a resolved secret. */
  paths(): readonly string[];
}

/** Shortest secret value that redaction and the outbound leak scan look for (characters). */
export const MIN_REDACTED_SECRET_CHARS = 4;

/**
 * The resolved secrets of one config at one moment (start-up, or a `secrets reload`). Immutable:
 * a reload builds a new snapshot and swaps it in whole (see {@link SecretsRuntime}).
 */
export class SecretsSnapshot implements SecretsView {
  private readonly byPath: ReadonlyMap<string, string>;

  constructor(byPath: ReadonlyMap<string, string> = new Map()) {
    this.byPath = new Map(byPath);
  }

  get(path: string): string | undefined {
    return this.byPath.get(path);
  }

  values(): string[] {
    return longestFirst(this.byPath.values());
  }

  paths(): string[] {
    return [...this.byPath.keys()];
  }

  /** The entries (path, value), for comparing two snapshots. */
  entries(): [string, string][] {
    return [...this.byPath.entries()];
  }
}

/** Distinct values of at least {@link MIN_REDACTED_SECRET_CHARS} characters, longest first. */
export function longestFirst(values: Iterable<string>): string[] {
  return [...new Set(values)].filter((v) => v.length >= MIN_REDACTED_SECRET_CHARS).sort((a, b) => b.length - a.length);
}
