import { errorMessage, isHoldfastError, wireCodeOf, wireRefusal } from "../../errors/index.js";
import type { WireError } from "./frames.js";

/** Masks secrets in text sent to clients (the process redactor, injected by the composition root). */
export type RedactText = (text: string) => string;

const asIs: RedactText = (t) => t;

const INTERNAL_ERROR: WireError = { code: "INTERNAL", message: "internal error" };

/**
 * Maps an error thrown by a method handler to a wire error. HoldfastErrors get the wire code their
 * catalogue entry names, keep their message (with secrets masked by `redact`; the secrets issue: "the
 * same redaction applies to error messages returned to clients") and expose their catalogue code in
 * `details.code`; anything else, and catalogue errors whose wire code is `INTERNAL` (bugs), becomes
 * `INTERNAL` with a generic message (the real error is logged, never sent).
 */
export function toWireError(err: unknown, redact: RedactText = asIs): WireError {
  if (!isHoldfastError(err)) return INTERNAL_ERROR;
  const wire = wireCodeOf(err.code);
  if (wire === "INTERNAL") return INTERNAL_ERROR;
  return { code: wire, message: redact(err.message), details: { code: err.code } };
}

/** A wire error for bad params, naming each bad field (secrets masked). */
export function invalidParams(
  method: string,
  issues: readonly { path: readonly PropertyKey[]; message: string }[],
  redact: RedactText = asIs,
): WireError {
  const fields = issues.map((i) => redact(`${[method, ...i.path.map(String)].join(".")}: ${i.message}`));
  return wireRefusal("INVALID_PARAMS", `invalid params: ${fields.join("; ")}`, { fields });
}

export { errorMessage };
