/** Values shorter than this are masked completely (characters). Source: the secrets issue; reference §8.4. */
export const MASK_HINT_MIN_CHARS = 18;

/**
 * Masks a secret value: `***` when shorter than 18 characters, else the first 6 characters + `…` +
 * the last 4 (enough to tell keys apart, never enough to use one).
 */
export function maskSecret(value: string): string {
  return value.length < MASK_HINT_MIN_CHARS ? "***" : `${value.slice(0, 6)}…${value.slice(-4)}`;
}

/** What a configured secret (in any form) is replaced with: nothing of it is kept. */
export const FULL_MASK = "***";

/** True for text that is already a mask (so redacting twice changes nothing). */
export function isMasked(value: string): boolean {
  return value === "***" || value.includes("…");
}
