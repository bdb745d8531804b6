import { longestFirst, SecretsSnapshot, type SecretsView } from "./snapshot.js";

/** What changed in a swap: key paths added, removed or given a new value (never the values). */
export interface SecretsSwap {
  readonly changed: readonly string[];
  readonly version: number;
  /** Errors thrown by listeners (the swap itself stands; the caller logs them). */
  readonly listenerErrors: readonly unknown[];
}

/**
 * The live secrets of a running process. Holds the current {@link SecretsSnapshot}; `swap` replaces
 * it in one assignment, so a reader sees the old or the new snapshot, never a mix. Values of earlier
 * snapshots stay in {@link values} (a rotated key may still be valid somewhere and must stay out of
 * logs), and listeners (provider catalog, redactor) are told after each swap.
 * Source: seeds security-reference.md "Secrets Management" (`secrets reload`).
 */
export class SecretsRuntime implements SecretsView {
  private current: SecretsSnapshot;
  private readonly retired = new Set<string>();
  private readonly pinned = new Set<string>();
  private readonly listeners = new Set<(swap: SecretsSwap) => void>();
  private cachedValues: string[] | undefined;
  private ver = 0;

  constructor(initial: SecretsSnapshot = new SecretsSnapshot()) {
    this.current = initial;
  }

  /** Increases by one with every swap (caches key on it). */
  get version(): number {
    return this.ver;
  }

  /** The snapshot in force. */
  snapshot(): SecretsSnapshot {
    return this.current;
  }

  get(path: string): string | undefined {
    return this.current.get(path);
  }

  /** Current values, every value of an earlier snapshot and the pinned values, longest first. */
  values(): readonly string[] {
    this.cachedValues ??= longestFirst([...this.current.values(), ...this.retired, ...this.pinned]);
    return this.cachedValues;
  }

  /**
   * Adds credentials that are not config values (the generated gateway token, credentials taken from
   * the environment) to {@link values}, so redaction and every leak scan treat them like configured
   * secrets. They stay for the life of the process; blank values are ignored.
   */
  pin(...values: readonly (string | undefined)[]): void {
    let added = false;
    for (const v of values) {
      if (v === undefined || v.trim() === "" || this.pinned.has(v)) continue;
      this.pinned.add(v);
      added = true;
    }
    if (added) this.cachedValues = undefined;
  }

  paths(): string[] {
    return this.current.paths();
  }

  /**
   * Replaces the snapshot and notifies listeners. A listener that throws does not stop the others or
   * undo the swap; its error is returned in `listenerErrors`.
   * @returns the key paths whose value changed.
   */
  swap(next: SecretsSnapshot): SecretsSwap {
    const prev = this.current;
    for (const v of prev.values()) this.retired.add(v);
    this.current = next;
    this.cachedValues = undefined;
    this.ver += 1;
    const changed = diffPaths(prev, next);
    const listenerErrors: unknown[] = [];
    const swap = { changed, version: this.ver, listenerErrors };
    for (const l of this.listeners) {
      try {
        l(swap);
      } catch (err) {
        listenerErrors.push(err);
      }
    }
    return swap;
  }

  /** Registers a listener for swaps; returns a function that removes it. */
  onSwap(listener: (swap: SecretsSwap) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}

function diffPaths(a: SecretsSnapshot, b: SecretsSnapshot): string[] {
  const out = new Set<string>();
  for (const [p, v] of a.entries()) if (b.get(p) !== v) out.add(p);
  for (const [p, v] of b.entries()) if (a.get(p) !== v) out.add(p);
  return [...out].sort();
}
