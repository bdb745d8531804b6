import { estimateEntropyBits } from "./entropy.js";

/** Shortest gateway token accepted at start (characters). Generated tokens are 64 hex characters. */
export const MIN_TOKEN_LENGTH = 24;
/** Shortest gateway password accepted at start (characters). */
export const MIN_PASSWORD_LENGTH = 8;

/**
 * Values that are not secrets: blanks spelled out, redaction sentinels and the placeholders printed in
 * documentation and sample configs (seeds security-reference.md "Gateway Authentication",
 * privacy-and-security-guide.md "Gateway authentication", data-privacy-and-security-policies.md;
 * reference §3.1). Compared case-insensitively after trimming.
 */
export const KNOWN_WEAK_SECRETS: readonly string[] = [
  "undefined",
  "null",
  "none",
  "...",
  "changeme",
  "change-me",
  "change_me",
  "change-me-now",
  "change-me-to-a-long-random-token",
  "change-me-to-a-strong-password",
  "replace-with-long-random-token",
  "replace-me",
  "your-token",
  "your-password",
  "your-secure-password",
  "secure-password",
  "strong-password-here",
  "<strong-password>",
  "<secure-random-token>",
  "<32-char-random>",
  "<token>",
  "<password>",
  "password",
  "token",
  "secret",
  "__holdfast_redacted__",
  "__openclaw_redacted__",
  "***",
  "[redacted]",
  "redacted",
  "<redacted>",
];

/** A weak-secret finding: which rule the value broke (the value itself is never part of it). */
export type WeakSecretReason = "blank" | "placeholder" | "too_short" | "low_entropy";

/**
 * Least estimated entropy ({@link estimateEntropyBits}) of a gateway credential on a network
 * exposure (non-loopback bind, Tailscale Serve or Funnel), in bits. 96 bits is 24 random hex
 * characters; 50 bits is about 9 random printable characters, or a four-word passphrase.
 */
export const MIN_ENTROPY_BITS = { token: 96, password: 50 } as const;

/**
 * Classifies a gateway credential: undefined when acceptable, else why it is weak. Blanks and
 * {@link KNOWN_WEAK_SECRETS} are always refused. On loopback, tokens must be at least
 * {@link MIN_TOKEN_LENGTH} characters and passwords {@link MIN_PASSWORD_LENGTH}; when the gateway is
 * exposed to the network (`exposed`), the estimated entropy decides instead of the length
 * ({@link MIN_ENTROPY_BITS}), so `aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa` is refused and a short random one is not.
 */
export function weakSecretReason(
  kind: "token" | "password",
  value: string,
  exposed = false,
): WeakSecretReason | undefined {
  const v = value.trim();
  if (v === "") return "blank";
  if (KNOWN_WEAK_SECRETS.includes(v.toLowerCase())) return "placeholder";
  if (exposed) return estimateEntropyBits(v) < MIN_ENTROPY_BITS[kind] ? "low_entropy" : undefined;
  if (v.length < (kind === "token" ? MIN_TOKEN_LENGTH : MIN_PASSWORD_LENGTH)) return "too_short";
  return undefined;
}

/** The start-up refusal message for a weak credential found at `source` (a key path or env var name). */
export function weakSecretMessage(kind: "token" | "password", source: string, reason: WeakSecretReason): string {
  const fix = "Generate one with: openssl rand -hex 32";
  switch (reason) {
    case "low_entropy":
      return `Gateway ${kind} from ${source} is too easy to guess for a gateway reachable from the network (estimated entropy below ${MIN_ENTROPY_BITS[kind]} bits: repeats, sequences, keyboard runs and common words count for little). ${fix}`;
    case "blank":
      return `Gateway ${kind} from ${source} is blank. ${fix}`;
    case "placeholder":
      return `Gateway ${kind} from ${source} is a placeholder or redaction marker, not a secret. ${fix}`;
    case "too_short":
      return `Gateway ${kind} from ${source} is too short (at least ${kind === "token" ? MIN_TOKEN_LENGTH : MIN_PASSWORD_LENGTH} characters required). ${fix}`;
  }
}
