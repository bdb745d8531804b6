import { errorMessage, isHoldfastError } from "../errors/index.js";
import type { Clock } from "../infra/index.js";
import type { AdapterStatus } from "./adapter.js";

/** Longest {@link AdapterStatus.lastError} kept (characters). */
const LAST_ERROR_MAX = 300;

/**
 * A failure's text, safe for status output and logs: URLs are replaced by `<url>` (an HTTP client's
 * message can carry the request URL, and Telegram's Bot API URLs hold the bot token), every value of
 * `secrets` by `***`, and the text is cut to {@link LAST_ERROR_MAX} characters.
 */
export function scrubErrorText(text: string, secrets: readonly string[]): string {
  let out = text.replace(/\b[a-z][a-z0-9+.-]*:\/\/[^\s"'<>]+/gi, "<url>");
  for (const s of secrets) if (s.length >= 4) out = out.split(s).join("***");
  return out.slice(0, LAST_ERROR_MAX);
}

/**
 * The health of one adapter as status output shows it: its state, the catalogue code that stopped it,
 * and the last error (a short text passed through {@link scrubErrorText} with the account's own
 * credentials, so no URL and no token of the account ever reaches status output).
 */
export class AdapterHealth {
  private state: AdapterStatus["state"] = "idle";
  private errorCode: string | undefined;
  private lastError: string | undefined;
  private lastErrorAt: number | undefined;

  /** @param secrets the account's credentials (tokens, signing secret), masked in every error text. */
  constructor(
    private readonly clock: Pick<Clock, "now">,
    private readonly secrets: readonly string[] = [],
  ) {}

  /** {@link scrubErrorText} with this account's credentials (for log lines too). */
  scrub(err: unknown): string {
    return scrubErrorText(errorMessage(err), this.secrets);
  }

  get current(): AdapterStatus["state"] {
    return this.state;
  }

  /** Connecting (first connection or a reconnect in progress). */
  connecting(): void {
    if (this.state !== "failed" && this.state !== "stopped") this.state = "connecting";
  }

  /** Connected and receiving. */
  running(): void {
    if (this.state !== "failed" && this.state !== "stopped") this.state = "running";
  }

  /** A connection failed and will be retried. */
  retrying(err: unknown): void {
    if (this.state === "failed" || this.state === "stopped") return;
    this.state = "retrying";
    this.note(err);
  }

  /** Stopped for good: retrying cannot help. */
  failed(code: string, err: unknown): void {
    this.state = "failed";
    this.errorCode = code;
    this.note(err);
  }

  /** Stopped on request (a failed adapter stays failed). */
  stopped(): void {
    if (this.state !== "failed") this.state = "stopped";
  }

  /** Records `err` as the last error without changing the state (a failed send). */
  note(err: unknown): void {
    const code = isHoldfastError(err) ? `${err.code}: ` : "";
    this.lastError = scrubErrorText(`${code}${errorMessage(err)}`, this.secrets);
    this.lastErrorAt = this.clock.now();
  }

  /** The status fields, plus adapter-specific ones. */
  status(extra: Pick<AdapterStatus, "mode" | "botUsername"> = {}): AdapterStatus {
    return {
      state: this.state,
      ...extra,
      ...(this.errorCode ? { errorCode: this.errorCode } : {}),
      ...(this.lastError !== undefined ? { lastError: this.lastError, lastErrorAt: this.lastErrorAt } : {}),
    };
  }
}
