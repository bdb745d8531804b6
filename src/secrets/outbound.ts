import { secretMatcher } from "../logging/index.js";
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

/**
 * True when `text` contains any configured secret value, in any letter case or common encoding
 * (escaped, reversed, hex, base64, spaced or separated; see the logging stage's `secretMatcher`).
 */
export function containsSecret(text: string, secrets: SecretsView): boolean {
  return text.length > 0 && secretMatcher(secrets.values()).test(text);
}

/** What the model is shown instead of a configured secret (in any form) found in text bound for it. */
export const MODEL_SECRET_MASK = "[secret withheld]";

/**
 * The model-bound leak scan: `text` with every configured secret (any form) replaced by
 * {@link MODEL_SECRET_MASK}, so tool results, history and prompts never carry a secret to a provider.
 */
export function maskForModel(text: string, secrets: SecretsView): string {
  return text.length === 0 ? text : secretMatcher(secrets.values()).mask(text, MODEL_SECRET_MASK);
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

/** How much of the end of `text` could be the beginning of a secret form (held back while streaming). */
function heldBack(text: string, secrets: SecretsView): number {
  return secretMatcher(secrets.values()).heldBack(text);
}
