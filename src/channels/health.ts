import { errorMessage, isHoldfastError } from "../errors/index.js";
import type { Clock } from "../infra/index.js";
import type { AdapterStatus } from "./adapter.js";

/** Longest {@link AdapterStatus.lastError} kept (characters). */
const LAST_ERROR_MAX = 300;

/**
 * The health of one adapter as status output shows it: its state, the catalogue code that stopped it,
 * and the last error (a short text; callers pass errors whose messages hold no secrets — platform
 * descriptions and catalogue messages — and the text is cut to {@link LAST_ERROR_MAX} characters).
 */
export class AdapterHealth {
  private state: AdapterStatus["state"] = "idle";
  private errorCode: string | undefined;
  private lastError: string | undefined;
  private lastErrorAt: number | undefined;

  constructor(private readonly clock: Pick<Clock, "now">) {}

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
    this.lastError = `${code}${errorMessage(err)}`.slice(0, LAST_ERROR_MAX);
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
