/**
 * Exponential backoff delay for retry `attempt` (0-based): `baseMs * 2^attempt`, capped at `maxMs`.
 * Defaults follow the seeds (data-privacy-and-security-policies.md, "Rate Limiting and Quotas"):
 * 0.5 s doubling to 8 s.
 */
export function backoffDelayMs(attempt: number, baseMs = 500, maxMs = 8_000): number {
  const exp = Math.min(attempt, 30);
  return Math.min(maxMs, baseMs * 2 ** exp);
}
