/**
 * Operator scopes (reference §3.5). `operator.admin` implies every scope; `operator.write` implies
 * `operator.read`.
 */
export const OPERATOR_SCOPES = ["operator.read", "operator.write", "operator.admin", "operator.approvals", "operator.pairing"] as const;
export type Scope = (typeof OPERATOR_SCOPES)[number];

/** True when a connection holding `granted` may use a method that needs `required`. */
export function hasScope(granted: ReadonlySet<string>, required: Scope): boolean {
  if (granted.has("operator.admin") || granted.has(required)) return true;
  return required === "operator.read" && granted.has("operator.write");
}

/** Keeps only known operator scopes. */
export function knownScopes(requested: readonly string[]): Scope[] {
  return requested.filter((s): s is Scope => (OPERATOR_SCOPES as readonly string[]).includes(s));
}
