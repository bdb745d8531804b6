import type { SecretsView } from "./snapshot.js";

/** The text sent instead of a reply that contained a configured secret. */
export const WITHHELD_NOTICE =
  "[holdfast withheld this reply: it contained a configured secret. Nothing of the secret was sent.]";

/** The verdict on one outbound text. */
export interface OutboundVerdict {
  /** What may be sent: the text itself, or {@link WITHHELD_NOTICE}. */
  readonly text: string;
  readonly blocked: boolean;
}

/** True when `text` contains any configured secret value (case-insensitive). */
export function containsSecret(text: string, secrets: SecretsView): boolean {
  if (text.length === 0) return false;
  const lower = text.toLowerCase();
  return secrets.values().some((v) => lower.includes(v.toLowerCase()));
}

/**
 * The outbound leak scan for a whole reply (channel adapters call it before sending): a text that
 * contains a configured secret value is replaced by {@link WITHHELD_NOTICE}.
 * Source: the secrets issue ("an outbound leak scan").
 */
export function guardOutboundText(text: string, secrets: SecretsView): OutboundVerdict {
  return containsSecret(text, secrets) ? { text: WITHHELD_NOTICE, blocked: true } : { text, blocked: false };
}

/**
 * The leak scan for a streamed reply. Each call gets the text accumulated so far and returns the
 * prefix that is safe to publish: it never ends with the beginning of a secret (that tail is held
 * back until the next chunk shows it is not one), so not even part of a secret leaves. Once a secret
 * shows up, the stream is blocked for good and {@link finish} yields the notice.
 */
export class StreamLeakGuard {
  private blocked = false;

  constructor(private readonly secrets: SecretsView) {}

  /** The safe prefix of `accumulated`, or `blocked` once it contains a secret. */
  push(accumulated: string): { readonly publish: string; readonly blocked: boolean } {
    if (this.blocked || containsSecret(accumulated, this.secrets)) {
      this.blocked = true;
      return { publish: "", blocked: true };
    }
    return { publish: accumulated.slice(0, accumulated.length - heldBack(accumulated, this.secrets)), blocked: false };
  }

  /** The final text to send. */
  finish(text: string): OutboundVerdict {
    if (this.blocked) return { text: WITHHELD_NOTICE, blocked: true };
    return guardOutboundText(text, this.secrets);
  }
}

/** Length of the longest suffix of `text` that is a prefix of some secret (case-insensitive). */
function heldBack(text: string, secrets: SecretsView): number {
  const lower = text.toLowerCase();
  // Lowercasing changed the length (rare Unicode): hold back as much as the longest secret.
  if (lower.length !== text.length) return Math.min(text.length, secrets.values()[0]?.length ?? 0);
  let hold = 0;
  for (const v of secrets.values()) {
    const s = v.toLowerCase();
    for (let k = Math.min(s.length - 1, lower.length); k > hold; k--) {
      if (lower.endsWith(s.slice(0, k))) {
        hold = k;
        break;
      }
    }
  }
  return hold;
}
