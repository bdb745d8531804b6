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
export type WeakSecretReason = "blank" | "placeholder" | "too_short";

/**
 * Classifies a gateway credential: undefined when acceptable, else why it is weak. Tokens must be at
 * least {@link MIN_TOKEN_LENGTH} characters, passwords {@link MIN_PASSWORD_LENGTH}; blanks and
 * {@link KNOWN_WEAK_SECRETS} are always refused.
 */
export function weakSecretReason(kind: "token" | "password", value: string): WeakSecretReason | undefined {
  const v = value.trim();
  if (v === "") return "blank";
  if (KNOWN_WEAK_SECRETS.includes(v.toLowerCase())) return "placeholder";
  if (v.length < (kind === "token" ? MIN_TOKEN_LENGTH : MIN_PASSWORD_LENGTH)) return "too_short";
  return undefined;
}

/** The start-up refusal message for a weak credential found at `source` (a key path or env var name). */
export function weakSecretMessage(kind: "token" | "password", source: string, reason: WeakSecretReason): string {
  const fix = "Generate one with: openssl rand -hex 32";
  switch (reason) {
    case "blank":
      return `Gateway ${kind} from ${source} is blank. ${fix}`;
    case "placeholder":
      return `Gateway ${kind} from ${source} is a placeholder or redaction marker, not a secret. ${fix}`;
    case "too_short":
      return `Gateway ${kind} from ${source} is too short (at least ${kind === "token" ? MIN_TOKEN_LENGTH : MIN_PASSWORD_LENGTH} characters required). ${fix}`;
  }
}
