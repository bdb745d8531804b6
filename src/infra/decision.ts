/**
 * A policy decision: a value with a stable reason code, never an exception. Every stage that admits
 * or refuses something (access control, tool policy, sandbox) returns one, and logs it.
 *
 * Allow reasons and deny reasons are separate type parameters, so a stage's reason codes are split
 * once, where they are declared, and `allow("mention_required")` does not compile where
 * `mention_required` is a reason to refuse.
 */
export type Decision<A extends string = string, D extends string = string> = Allowed<A> | Denied<D>;

/** An allowing decision with its reason. */
export interface Allowed<A extends string = string> {
  readonly allow: true;
  readonly reason: A;
}

/** A refusing decision with its reason and an optional human-readable detail (never a secret). */
export interface Denied<D extends string = string> {
  readonly allow: false;
  readonly reason: D;
  readonly detail?: string;
}

/** An allowing decision. */
export function allow<A extends string>(reason: A): Allowed<A> {
  return { allow: true, reason };
}

/** A refusing decision, with an optional human-readable detail (never a secret). */
export function deny<D extends string>(reason: D, detail?: string): Denied<D> {
  return detail === undefined ? { allow: false, reason } : { allow: false, reason, detail };
}
