/**
 * A policy decision: a value with a stable reason code, never an exception. Every stage that admits
 * or refuses something (access control, tool policy, sandbox) returns one, and logs it.
 */
export type Decision<R extends string = string> =
  | { readonly allow: true; readonly reason: R }
  | { readonly allow: false; readonly reason: R; readonly detail?: string };

/** An allowing decision. */
export function allow<R extends string>(reason: R): Decision<R> {
  return { allow: true, reason };
}

/** A refusing decision, with an optional human-readable detail (never a secret). */
export function deny<R extends string>(reason: R, detail?: string): Decision<R> {
  return detail === undefined ? { allow: false, reason } : { allow: false, reason, detail };
}
