import { wireRefusal } from "../../errors/index.js";
import type { Logger } from "../../logging/index.js";
import type { ConnectionInfo, MethodRegistry } from "../methods/registry.js";
import type { RequestFrame, WireError } from "../protocol/frames.js";
import { invalidParams, toWireError, type RedactText } from "../protocol/wire-errors.js";
import { hasScope, requiredScope, type Scope } from "../scopes.js";

/** Outcome of one dispatched request; `unauthorized` feeds the flood guard. */
export type DispatchOutcome =
  | { readonly ok: true; readonly payload: unknown }
  | { readonly ok: false; readonly error: WireError; readonly unauthorized: boolean };

/**
 * Runs one request after the handshake: method lookup → role and scope check → params check →
 * handler. Handler exceptions become wire errors (unexpected ones are logged and sent as INTERNAL);
 * `ctx.redact` masks secrets in every message sent back.
 */
export async function dispatch(
  frame: RequestFrame,
  conn: ConnectionInfo,
  methods: MethodRegistry,
  ctx: { log: Logger; sendEvent: (e: string, p: unknown) => void; accept: (p: unknown) => void; redact: RedactText },
): Promise<DispatchOutcome> {
  const def = methods.get(frame.method);
  if (!def) {
    // Reference order: an admin-only prefix is authorized before the lookup (no probing which exist).
    const admin = requiredScope(frame.method, null);
    if (admin && !hasScope(conn.scopes, admin)) return missingScope(admin);
    return {
      ok: false,
      unauthorized: false,
      error: wireRefusal("UNKNOWN_METHOD", `unknown method: ${frame.method.slice(0, 64)}`),
    };
  }
  const roles = def.roles ?? ["operator"];
  if (!roles.includes(conn.role)) {
    return {
      ok: false,
      unauthorized: true,
      error: wireRefusal("ROLE_NOT_ALLOWED", `method ${def.name} is not available to role ${conn.role}`),
    };
  }
  const scope = requiredScope(def.name, def.scope);
  // Nodes carry no operator scopes: scoped methods open to nodes skip the check, admin-only never does.
  if (scope && (conn.role === "operator" || scope === "operator.admin") && !hasScope(conn.scopes, scope))
    return missingScope(scope);
  const params = def.params.safeParse(frame.params ?? {});
  if (!params.success)
    return { ok: false, unauthorized: false, error: invalidParams(def.name, params.error.issues, ctx.redact) };
  try {
    return {
      ok: true,
      payload:
        (await def.handler(params.data, { conn, log: ctx.log, sendEvent: ctx.sendEvent, accept: ctx.accept })) ?? {},
    };
  } catch (err) {
    const error = toWireError(err, ctx.redact);
    if (error.code === "INTERNAL") ctx.log.error({ err, method: def.name }, "gateway method failed");
    return { ok: false, unauthorized: false, error };
  }
}

function missingScope(scope: Scope): DispatchOutcome {
  return {
    ok: false,
    unauthorized: true,
    error: wireRefusal("MISSING_SCOPE", `missing scope: ${scope}`, { missingScope: scope, requiredScopes: [scope] }),
  };
}
