import { ERROR_CATALOGUE, type ErrorCode } from "./catalogue.js";

/**
 * The error type holdfast throws for real failures (policy refusals are values, not exceptions).
 * `message` is safe to show to a user: it never contains a secret value. `details` holds
 * machine-readable context (key paths, codes), never secrets.
 */
export class HoldfastError extends Error {
  readonly code: ErrorCode;
  readonly details: Readonly<Record<string, unknown>> | undefined;

  constructor(code: ErrorCode, message: string, details?: Record<string, unknown>, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "HoldfastError";
    this.code = code;
    this.details = details;
  }

  /** The process exit code for a CLI command that ends with this error. */
  get exitCode(): number {
    return ERROR_CATALOGUE[this.code].exitCode;
  }
}

/** True when `err` is a {@link HoldfastError}, optionally with the given code. */
export function isHoldfastError(err: unknown, code?: ErrorCode): err is HoldfastError {
  return err instanceof HoldfastError && (code === undefined || err.code === code);
}

/** A short message for any thrown value, without stack traces. */
export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message;
  return typeof err === "string" ? err : "unknown error";
}
