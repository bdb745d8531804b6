import { secretEquals } from "../../infra/index.js";
import type { ConnectParams } from "../protocol/frames.js";
import type { ClientAddress } from "../net.js";
import { knownScopes } from "../scopes.js";
import type { AuthSuccess, GatewayAuthenticator, HttpAuthFailure, WsAuthFailure } from "./types.js";

/** The shared secret in force. `none` is only ever accepted on loopback binds (checked at start). */
export type SharedSecret = { readonly mode: "token"; readonly token: string } | { readonly mode: "password"; readonly password: string } | { readonly mode: "none" };

const HINT = "use this gateway's gateway.auth.token or pair the device";
const DEFAULT_SCOPES = ["operator.read", "operator.write"];

/** Body of every HTTP 401 (reference §3.6). */
export const UNAUTHORIZED_BODY = { error: { message: "Unauthorized", type: "unauthorized" } };

/**
 * Token / password / none authentication (reference §3.1–§3.3). The secret may arrive in either
 * `auth.token` or `auth.password`; comparison is constant-time. Scopes granted are the known scopes
 * the client asked for (operator.read + operator.write when it asked for none).
 */
export class SharedSecretAuthenticator implements GatewayAuthenticator {
  constructor(private readonly secret: () => SharedSecret) {}

  get mode(): string {
    return this.secret().mode;
  }

  async authenticateConnect(params: ConnectParams, _client: ClientAddress): Promise<AuthSuccess | WsAuthFailure> {
    const s = this.secret();
    const role = params.role === "node" ? "node" : "operator";
    const scopes = params.scopes ? knownScopes(params.scopes) : DEFAULT_SCOPES;
    if (s.mode === "none") return { ok: true, method: "none", role, scopes };
    const expected = s.mode === "token" ? s.token : s.password;
    const provided = s.mode === "token" ? (params.auth?.token ?? params.auth?.password) : (params.auth?.password ?? params.auth?.token);
    if (provided === undefined || provided === "") return wsFailure(s.mode, "missing");
    if (!secretEquals(provided, expected)) return wsFailure(s.mode, "mismatch");
    return { ok: true, method: s.mode, role, scopes };
  }

  async authenticateHttp(headers: Readonly<Record<string, string | string[] | undefined>>): Promise<AuthSuccess | HttpAuthFailure> {
    const s = this.secret();
    const all = ["operator.admin", "operator.approvals", "operator.pairing", "operator.read", "operator.write"];
    if (s.mode === "none") return { ok: true, method: "none", role: "operator", scopes: all };
    const provided = credentialFromHeader(headers.authorization);
    const expected = s.mode === "token" ? s.token : s.password;
    if (provided !== undefined && secretEquals(provided, expected)) return { ok: true, method: s.mode, role: "operator", scopes: all };
    return { ok: false, status: 401, body: UNAUTHORIZED_BODY, headers: { "www-authenticate": s.mode === "password" ? 'Basic realm="holdfast"' : 'Bearer realm="holdfast"' } };
  }
}

/** Reads `Bearer <secret>` or `Basic base64(user:secret)` (the password part) from an Authorization header. */
export function credentialFromHeader(value: string | string[] | undefined): string | undefined {
  const v = Array.isArray(value) ? value[0] : value;
  if (!v) return undefined;
  const m = /^(Bearer|Basic)\s+(.+)$/i.exec(v.trim());
  if (!m) return undefined;
  if ((m[1] as string).toLowerCase() === "bearer") return m[2];
  const decoded = Buffer.from(m[2] as string, "base64").toString("utf8");
  const i = decoded.indexOf(":");
  return i >= 0 ? decoded.slice(i + 1) : decoded;
}

function wsFailure(kind: "token" | "password", what: "missing" | "mismatch"): WsAuthFailure {
  const code = `AUTH_${kind.toUpperCase()}_${what.toUpperCase()}`;
  return {
    ok: false,
    closeCode: 1008,
    error: {
      code: "INVALID_REQUEST",
      message: `unauthorized: gateway ${kind} ${what} (${HINT})`,
      details: { code, authReason: `${kind}_${what}`, canRetryWithDeviceToken: false, recommendedNextStep: what === "missing" ? "update_auth_configuration" : "update_auth_credentials" },
    },
  };
}

export type { HttpAuthFailure };
