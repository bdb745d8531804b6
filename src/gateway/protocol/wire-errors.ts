import { errorMessage, isHoldfastError, wireCodeOf, wireRefusal } from "../../errors/index.js";
import type { WireError } from "./frames.js";

let redactText: (text: string) => string = (t) => t;

/**
 * Installs the secret redaction applied to every error message this module builds (the composition
 * root installs the process redactor; see the secrets issue: "the same redaction applies to error
 * messages returned to clients"). Returns a function that restores the previous one.
 */
export function installWireErrorRedactor(redact: (text: string) => string): () => void {
  const prev = redactText;
  redactText = redact;
  return () => {
    redactText = prev;
  };
}

const INTERNAL_ERROR: WireError = { code: "INTERNAL", message: "internal error" };

/**
 * Maps an error thrown by a method handler to a wire error. HoldfastErrors get the wire code their
 * catalogue entry names, keep their message (with secrets masked by the installed redactor) and
 * expose their catalogue code in `details.code`; anything else, and catalogue errors whose wire code
 * is `INTERNAL` (bugs), becomes `INTERNAL` with a generic message (the real error is logged, never sent).
 */
export function toWireError(err: unknown): WireError {
  if (!isHoldfastError(err)) return INTERNAL_ERROR;
  const wire = wireCodeOf(err.code);
  if (wire === "INTERNAL") return INTERNAL_ERROR;
  return { code: wire, message: redactText(err.message), details: { code: err.code } };
}

/** A wire error for bad params, naming each bad field (secrets masked). */
export function invalidParams(
  method: string,
  issues: readonly { path: readonly PropertyKey[]; message: string }[],
): WireError {
  const fields = issues.map((i) => redactText(`${[method, ...i.path.map(String)].join(".")}: ${i.message}`));
  return wireRefusal("INVALID_PARAMS", `invalid params: ${fields.join("; ")}`, { fields });
}

export { errorMessage };
