/** First reconnect delay (ms). */
export const RECONNECT_MIN_MS = 500;
/** Longest reconnect delay (ms). */
export const RECONNECT_MAX_MS = 8000;

/**
 * Delay before reconnect attempt `attempt` (0 = the first after a drop): 0.5 s doubling up to 8 s, each
 * spread by ±20 % jitter (`random` in [0, 1)) so many tabs do not reconnect in step, never above 8 s.
 */
export function reconnectDelayMs(attempt: number, random: number): number {
  const base = Math.min(RECONNECT_MAX_MS, RECONNECT_MIN_MS * 2 ** Math.max(0, Math.min(attempt, 10)));
  return Math.round(Math.min(RECONNECT_MAX_MS, base * (0.8 + 0.4 * random)));
}
