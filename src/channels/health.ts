import { errorMessage, isHoldfastError } from "../errors/index.js";
import type { Clock } from "../infra/index.js";
import type { AdapterStatus, ChannelError } from "./adapter.js";

/** Longest {@link ChannelError.message} kept (characters). */
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

/** The catalogue code of a failure: its own for a HoldfastError, else `fallback`. */
function codeOf(err: unknown, fallback: string): string {
  return isHoldfastError(err) ? err.code : fallback;
}

/**
 * The health of one adapter as status output shows it: its state; while it retries through a
 * problem (or after one stopped it) the problem's catalogue code and since when it lasts; and the
 * last error, kept after recovery. Every text passes {@link scrubErrorText} with the account's own
 * credentials, so no URL and no token of the account ever reaches status output.
 */
export class AdapterHealth {
  private state: AdapterStatus["state"] = "idle";
  private errorCode: string | undefined;
  private sinceMs: number | undefined;
  private lastError: ChannelError | undefined;
  private detail: string | undefined;

  /** @param secrets the account's credentials (tokens, signing secret), masked in every error text. */
  constructor(
    private readonly clock: Pick<Clock, "now">,
    private readonly secrets: readonly string[] = [],
  ) {}

  /** {@link scrubErrorText} with this account's credentials (for log lines too). */
  scrub(err: unknown): string {
    return scrubErrorText(typeof err === "string" ? err : errorMessage(err), this.secrets);
  }

  get current(): AdapterStatus["state"] {
    return this.state;
  }

  /** The catalogue code of the problem being retried through (or that stopped the adapter). */
  get problem(): string | undefined {
    return this.errorCode;
  }

  /** Connecting (first connection or a reconnect in progress). */
  connecting(): void {
    if (this.state !== "failed" && this.state !== "stopped") this.state = "connecting";
  }

  /** Starting over after a failure (its credentials changed): `connecting`, the problem kept until running. */
  restarting(): void {
    if (this.state === "failed") this.state = "connecting";
  }

  /**
   * Connected and receiving: clears the current problem.
   * @returns the problem that just cleared and how long it lasted (ms), or undefined.
   */
  running(): { code: string; downMs: number } | undefined {
    if (this.state === "failed" || this.state === "stopped") return undefined;
    const cleared =
      this.errorCode !== undefined && this.sinceMs !== undefined
        ? { code: this.errorCode, downMs: this.clock.now() - this.sinceMs }
        : undefined;
    this.state = "running";
    this.errorCode = undefined;
    this.sinceMs = undefined;
    return cleared;
  }

  /**
   * A connection or call failed and will be retried: `retrying` with the problem's code (`code`, else
   * the error's own, else HF_CHANNEL_NETWORK) until {@link running}.
   * @returns true when this is a new problem (another code than the one being retried through).
   */
  retrying(err: unknown, code?: string): boolean {
    if (this.state === "failed" || this.state === "stopped") return false;
    const c = code ?? codeOf(err, "HF_CHANNEL_NETWORK");
    const changed = this.errorCode !== c;
    this.state = "retrying";
    this.problemIs(c, err);
    return changed;
  }

  /** Stopped for good: retrying cannot help. */
  failed(code: string, err: unknown): void {
    this.state = "failed";
    this.problemIs(code, err);
  }

  /** Stopped on request (a failed adapter stays failed); `detail` says why (`logged out`). */
  stopped(detail?: string): void {
    if (this.state !== "failed") this.state = "stopped";
    if (detail !== undefined) this.detail = detail;
  }

  /** Records `err` as the last error without changing the state (a failed send: HF_CHANNEL_SEND). */
  note(err: unknown, code?: string): void {
    this.lastError = { code: code ?? codeOf(err, "HF_CHANNEL_SEND"), message: this.scrub(err), atMs: this.clock.now() };
  }

  /** The status fields, plus adapter-specific ones. */
  status(extra: Pick<AdapterStatus, "mode" | "botUsername"> = {}): AdapterStatus {
    return {
      state: this.state,
      ...extra,
      ...(this.errorCode ? { errorCode: this.errorCode } : {}),
      ...(this.sinceMs !== undefined ? { sinceMs: this.sinceMs } : {}),
      ...(this.lastError ? { lastError: this.lastError } : {}),
      ...(this.detail !== undefined ? { detail: this.detail } : {}),
    };
  }

  private problemIs(code: string, err: unknown): void {
    this.note(err, code);
    this.errorCode = code;
    this.sinceMs ??= this.lastError?.atMs;
  }
}
