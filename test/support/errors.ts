import { isHoldfastError } from "../../src/errors/index.js";

/** The catalogue code `f` throws (a non-HoldfastError as its text), or undefined when it does not throw. */
export function thrownCode(f: () => unknown): string | undefined {
  try {
    f();
  } catch (err) {
    return isHoldfastError(err) ? err.code : String(err);
  }
  return undefined;
}
