import { errorMessage, isHoldfastError, type ErrorCode, type WireErrorCode } from "../../errors/index.js";
import type { WireError } from "./frames.js";

const WIRE_FOR: Partial<Record<ErrorCode, WireErrorCode>> = {
  HF_SESSION_KEY_INVALID: "INVALID_REQUEST",
  HF_CLI_USAGE: "INVALID_REQUEST",
  HF_CONFIG_INVALID: "INVALID_REQUEST",
  HF_CONFIG_PARSE: "INVALID_REQUEST",
  HF_SESSION_NOT_FOUND: "NOT_FOUND",
  HF_NOT_FOUND: "NOT_FOUND",
  HF_NO_MODEL: "UNAVAILABLE",
  HF_SECRET_UNRESOLVED: "UNAVAILABLE",
  HF_NODE_NOT_CONNECTED: "NOT_FOUND",
  HF_NODE_REFUSED: "FORBIDDEN",
  HF_APPROVAL_REFUSED: "FORBIDDEN",
};

/** Masks secrets in text sent to clients (the process redactor, injected by the composition root). */
export type RedactText = (text: string) => string;

const asIs: RedactText = (t) => t;

/**
 * Maps an error thrown by a method handler to a wire error. HoldfastErrors keep their message (with
 * secrets masked by `redact`; the secrets issue: "the same redaction applies to error messages
 * returned to clients") and expose their catalogue code in `details.code`; anything else becomes
 * `INTERNAL` with a generic message (the real error is logged, never sent).
 */
export function toWireError(err: unknown, redact: RedactText = asIs): WireError {
  if (isHoldfastError(err)) {
    return { code: WIRE_FOR[err.code] ?? "UNAVAILABLE", message: redact(err.message), details: { code: err.code } };
  }
  return { code: "INTERNAL", message: "internal error" };
}

/** A wire error for bad params, naming each bad field (secrets masked). */
export function invalidParams(
  method: string,
  issues: readonly { path: readonly PropertyKey[]; message: string }[],
  redact: RedactText = asIs,
): WireError {
  const fields = issues.map((i) => redact(`${[method, ...i.path.map(String)].join(".")}: ${i.message}`));
  return {
    code: "INVALID_REQUEST",
    message: `invalid params: ${fields.join("; ")}`,
    details: { code: "INVALID_PARAMS", fields },
  };
}

export { errorMessage };
