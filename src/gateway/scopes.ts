/**
 * Operator scopes, the reference's closed set (§3.5). `operator.admin` implies every scope;
 * `operator.write` implies `operator.read` and `operator.talk`. Any other requested scope is dropped
 * at connect (an unknown scope grants nothing).
 */
export const OPERATOR_SCOPES = [
  "operator.read",
  "operator.write",
  "operator.admin",
  "operator.approvals",
  "operator.questions",
  "operator.pairing",
  "operator.talk",
  "operator.talk.secrets",
] as const;
export type Scope = (typeof OPERATOR_SCOPES)[number];

/** Method name prefixes that always need `operator.admin`, whatever scope a method declares (reference §3.5). */
export const ADMIN_METHOD_PREFIXES = ["config.", "exec.approvals.", "wizard.", "update."] as const;

/** True when a connection holding `granted` may use a method that needs `required`. */
export function hasScope(granted: ReadonlySet<string>, required: Scope): boolean {
  if (granted.has("operator.admin") || granted.has(required)) return true;
  return (required === "operator.read" || required === "operator.talk") && granted.has("operator.write");
}

/** Keeps only known operator scopes. */
export function knownScopes(requested: readonly string[]): Scope[] {
  return requested.filter((s): s is Scope => (OPERATOR_SCOPES as readonly string[]).includes(s));
}

/**
 * The scope a method really requires: `operator.admin` for the admin-only namespaces (`config.*`,
 * `exec.approvals.*`, `wizard.*`, `update.*`), else the scope it declares (`null`: any authenticated
 * connection).
 */
export function requiredScope(method: string, declared: Scope | null): Scope | null {
  return ADMIN_METHOD_PREFIXES.some((p) => method.startsWith(p)) ? "operator.admin" : declared;
}

/**
 * Scopes granted when a credential allows at most `ceiling`: the requested known scopes that the
 * ceiling covers (all of the ceiling when nothing was requested).
 */
export function capScopes(requested: readonly string[] | undefined, ceiling: readonly string[]): Scope[] {
  const allowed = new Set(ceiling);
  const wanted = requested === undefined ? knownScopes(ceiling) : knownScopes(requested);
  return wanted.filter((s) => hasScope(allowed, s));
}
