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
};

/**
 * Maps an error thrown by a method handler to a wire error. HoldfastErrors keep their (secret-free)
 * message and expose their catalogue code in `details.code`; anything else becomes `INTERNAL` with
 * a generic message (the real error is logged by the caller, never sent).
 */
export function toWireError(err: unknown): WireError {
  if (isHoldfastError(err)) {
    return { code: WIRE_FOR[err.code] ?? "UNAVAILABLE", message: err.message, details: { code: err.code } };
  }
  return { code: "INTERNAL", message: "internal error" };
}

/** A wire error for bad params, naming each bad field. */
export function invalidParams(method: string, issues: readonly { path: readonly PropertyKey[]; message: string }[]): WireError {
  const fields = issues.map((i) => `${[method, ...i.path.map(String)].join(".")}: ${i.message}`);
  return { code: "INVALID_REQUEST", message: `invalid params: ${fields.join("; ")}`, details: { code: "INVALID_PARAMS", fields } };
}

export { errorMessage };
