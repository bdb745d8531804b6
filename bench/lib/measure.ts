/** Shared timing helpers of the benchmarks (they print figures; nothing asserts timings). */

/** One thing to time; `run` throws when the result is wrong. */
export type Variant = { readonly name: string; readonly run: () => Promise<unknown> };

/**
 * Runs the variants interleaved (one of each per round, after 5 warm-up runs each), so a busy
 * machine slows them alike, and returns each variant's times (ms) in round order.
 */
export async function measure(variants: readonly Variant[], iterations: number): Promise<number[][]> {
  for (const v of variants) for (let i = 0; i < 5; i++) await v.run();
  const times = variants.map(() => [] as number[]);
  for (let i = 0; i < iterations; i++) {
    for (const [k, v] of variants.entries()) {
      const t = process.hrtime.bigint();
      await v.run();
      (times[k] as number[]).push(Number(process.hrtime.bigint() - t) / 1e6);
    }
  }
  return times;
}

/** The `p` quantile (0..1) of `xs`. */
export function quantile(xs: readonly number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(p * s.length))] as number;
}

/** Prints mean, median and p95 of one variant. */
export function report(name: string, times: readonly number[], width = 36): void {
  const mean = times.reduce((a, b) => a + b, 0) / times.length;
  const f = (x: number) => x.toFixed(2);
  console.log(
    `${name.padEnd(width)} mean ${f(mean)} ms  median ${f(quantile(times, 0.5))} ms  p95 ${f(quantile(times, 0.95))} ms`,
  );
}

/** Median of the paired differences `other[i] - base[i]` (rounds ran interleaved). */
export function pairedMedian(base: readonly number[], other: readonly number[]): number {
  return quantile(
    other.map((t, i) => t - (base[i] as number)),
    0.5,
  );
}
