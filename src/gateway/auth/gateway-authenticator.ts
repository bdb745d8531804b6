import { secretEquals } from "../../infra/index.js";
import type { SecurityTrail } from "../../trail/index.js";
import { isLoopbackHostHeader, type ClientAddress } from "../net.js";
import type { AuthMode } from "../exposure.js";
import type { ConnectParams } from "../protocol/frames.js";
import { capScopes, knownScopes, OPERATOR_SCOPES } from "../scopes.js";
import { http401, http429, pairingRequired, wsFailure, type AuthReason } from "./failures.js";
import {
  authorizeTrustedProxy,
  hasTailscaleIdentity,
  verifyTailscaleIdentity,
  type TailscaleWhois,
  type TrustedProxyAuthConfig,
} from "./identity-headers.js";
import { limiterKey, type AuthRateLimiter, type LimiterKey, type RateLimitScope } from "./rate-limit.js";
import { credentialFromHeader, providedSecret } from "./shared-secret.js";
import type { AuthSuccess, DeviceAuthority, GatewayAuthenticator, HttpAuthFailure, WsAuthFailure } from "./types.js";

/** The auth settings in force (read on every attempt, so a credential rotation applies at once). */
export interface AuthSettings {
  readonly mode: AuthMode;
  readonly token?: string;
  readonly password?: string;
  readonly trustedProxy?: TrustedProxyAuthConfig;
  readonly isTrustedProxy: (ip: string) => boolean;
  /** Accept verified Tailscale Serve identities on WebSocket connects without a shared secret. */
  readonly allowTailscale: boolean;
}

/** Collaborators of {@link ExposureAuthenticator}. */
export interface AuthenticatorDeps {
  readonly settings: () => AuthSettings;
  readonly limiter: AuthRateLimiter;
  readonly exemptLoopback: boolean;
  /** Waits before answering a failed loopback attempt (the clock's sleep). */
  readonly sleep: (ms: number) => Promise<void>;
  readonly devices?: DeviceAuthority;
  readonly whois?: TailscaleWhois;
  /** Failed attempts and lockouts are recorded here (`auth.failed`, `auth.lockout`). */
  readonly trail?: SecurityTrail;
}

/** Auth `none` admits a direct local client that addressed the gateway by a loopback name (no DNS rebinding). */
function localWithoutAuth(client: ClientAddress): boolean {
  return client.isLocal && isLoopbackHostHeader(client.host);
}

type Credential = { readonly ok: true; readonly method: AuthSuccess["method"]; readonly user?: string } | WsAuthFailure;

const DEFAULT_SCOPES = ["operator.read", "operator.write"];

/**
 * The gateway's authenticator (seeds "Authentication & Authorization"; reference §3): refuses
 * unattributable proxied requests first, then checks the credential for the mode (token, password,
 * trusted-proxy identity, `none` for direct local clients only, Tailscale Serve identity when
 * allowed, or a paired device's token) under the failed-auth rate limiter, then device identity and
 * pairing. Shared-secret holders get the known scopes they ask for; device tokens are capped by the
 * device's approved scopes.
 */
export class ExposureAuthenticator implements GatewayAuthenticator {
  constructor(private readonly deps: AuthenticatorDeps) {}

  get mode(): string {
    return this.deps.settings().mode;
  }

  async authenticateConnect(
    params: ConnectParams,
    client: ClientAddress,
    nonce: string,
  ): Promise<AuthSuccess | WsAuthFailure> {
    if (client.unattributedProxy) return wsFailure("proxy_attribution_required");
    const role: "operator" | "node" = params.role === "node" ? "node" : "operator";
    const proof = params.device ? this.deps.devices?.verifyProof(params, nonce) : undefined;
    if (params.device && !proof) return wsFailure("device_identity_required");
    if (proof && !proof.ok) return { ok: false, closeCode: 1008, error: proof.error };
    if (role === "node" && !proof) return wsFailure("device_identity_required");
    const device = proof?.ok ? proof : undefined;
    if (params.auth?.deviceToken) {
      if (!device) return wsFailure("device_identity_required");
      return this.byDeviceToken(params, client, { deviceId: device.deviceId, token: params.auth.deviceToken, role });
    }
    const cred = await this.credential(params, client);
    if (!cred.ok) return cred;
    const scopes = role === "operator" ? (params.scopes ? knownScopes(params.scopes) : DEFAULT_SCOPES) : [];
    const base = { ok: true as const, method: cred.method, role, scopes, ...(cred.user ? { user: cred.user } : {}) };
    if (!device || !this.deps.devices) return base;
    const admission = await this.deps.devices.admit({
      deviceId: device.deviceId,
      publicKey: device.publicKey,
      role,
      scopes,
      params,
      client,
      authMethod: cred.method,
    });
    if (admission.status === "pending")
      return pairingRequired(admission.requestId, admission.expiresAt, role === "node" || client.origin !== undefined);
    return {
      ...base,
      deviceId: device.deviceId,
      ...(admission.deviceToken ? { deviceToken: admission.deviceToken } : {}),
    };
  }

  async authenticateHttp(
    headers: Readonly<Record<string, string | string[] | undefined>>,
    client: ClientAddress,
  ): Promise<AuthSuccess | HttpAuthFailure> {
    const s = this.deps.settings();
    const ok = (method: AuthSuccess["method"], user?: string): AuthSuccess => ({
      ok: true,
      method,
      role: "operator",
      scopes: [...OPERATOR_SCOPES],
      ...(user ? { user } : {}),
    });
    if (client.unattributedProxy) return http401(s.mode);
    if (s.mode === "none") return localWithoutAuth(client) ? ok("none") : http401(s.mode);
    const provided = credentialFromHeader(headers.authorization);
    if (s.mode === "trusted-proxy") {
      const id = s.trustedProxy ? authorizeTrustedProxy(client, s.trustedProxy, s.isTrustedProxy) : undefined;
      if (id?.ok) return ok("trusted-proxy", id.user);
      if (!(client.isLocal && s.password && provided)) return http401(s.mode);
    }
    const expected = s.mode === "token" ? s.token : s.password;
    if (provided === undefined || expected === undefined) return http401(s.mode);
    const r = await this.limited("shared-secret", client, () => secretEquals(provided, expected));
    if (r === true) return ok(s.mode === "token" ? "token" : "password");
    return r.reason === "rate_limited" ? http429(r.retryAfterMs ?? 0) : http401(s.mode);
  }

  private async credential(params: ConnectParams, client: ClientAddress): Promise<Credential> {
    const s = this.deps.settings();
    if (s.mode === "none") return localWithoutAuth(client) ? { ok: true, method: "none" } : wsFailure("local_only");
    if (s.mode === "trusted-proxy") {
      const pw = providedSecret(params, "password");
      if (client.isLocal && s.password && pw) return this.shared(pw, s.password, "password", client);
      const id = s.trustedProxy
        ? authorizeTrustedProxy(client, s.trustedProxy, s.isTrustedProxy)
        : ({ ok: false, reason: "trusted_proxy_untrusted_source" } as const);
      return id.ok ? { ok: true, method: "trusted-proxy", user: id.user } : wsFailure(id.reason);
    }
    const provided = providedSecret(params, s.mode);
    if (provided === undefined) {
      if (s.allowTailscale && this.deps.whois && hasTailscaleIdentity(client))
        return this.tailscale(client, this.deps.whois);
      return wsFailure(s.mode === "token" ? "token_missing" : "password_missing");
    }
    return this.shared(provided, (s.mode === "token" ? s.token : s.password) ?? "", s.mode, client);
  }

  private async shared(
    provided: string,
    expected: string,
    kind: "token" | "password",
    client: ClientAddress,
  ): Promise<Credential> {
    const r = await this.limited("shared-secret", client, () => secretEquals(provided, expected));
    if (r === true) return { ok: true, method: kind };
    return wsFailure(
      r.reason === "rate_limited" ? "rate_limited" : kind === "token" ? "token_mismatch" : "password_mismatch",
      r.retryAfterMs,
    );
  }

  private async tailscale(client: ClientAddress, whois: TailscaleWhois): Promise<Credential> {
    let reason: AuthReason = "tailscale_identity_check_failed";
    let user: string | undefined;
    const r = await this.limited("shared-secret", client, async () => {
      const id = await verifyTailscaleIdentity(client, whois);
      if (id.ok) user = id.user;
      else reason = id.reason;
      return id.ok;
    });
    if (r === true) return { ok: true, method: "tailscale", ...(user ? { user } : {}) };
    return wsFailure(r.reason === "rate_limited" ? "rate_limited" : reason, r.retryAfterMs);
  }

  private async byDeviceToken(
    params: ConnectParams,
    client: ClientAddress,
    { deviceId, token, role }: { deviceId: string; token: string; role: "operator" | "node" },
  ): Promise<AuthSuccess | WsAuthFailure> {
    let approved: { role: string; scopes: readonly string[] } | undefined;
    const r = await this.limited("device-token", client, async () => {
      approved = await this.deps.devices?.checkToken(deviceId, token);
      return approved !== undefined && approved.role === role;
    });
    if (r !== true || !approved)
      return wsFailure(
        r !== true && r.reason === "rate_limited" ? "rate_limited" : "device_token_mismatch",
        r === true ? undefined : r.retryAfterMs,
      );
    const scopes = role === "operator" ? capScopes(params.scopes, approved.scopes) : [];
    return { ok: true, method: "device-token", role, scopes, deviceId };
  }

  /**
   * Runs `check` unless the client is locked out; counts a false result as a failure (and delays
   * loopback). A locked-out remote client is refused before any comparison; a loopback client is
   * still compared, so the right credential is never locked out from this host (a wrong one gets
   * `rate_limited`).
   */
  private async limited(
    scope: RateLimitScope,
    client: ClientAddress,
    check: () => boolean | Promise<boolean>,
  ): Promise<true | { reason: "rate_limited" | "failed"; retryAfterMs?: number }> {
    const key: LimiterKey = limiterKey(scope, client, this.deps.exemptLoopback);
    const locked = this.deps.limiter.retryAfterMs(key);
    if (locked > 0 && !key.loopback) return { reason: "rate_limited", retryAfterMs: locked };
    if (await check()) {
      this.deps.limiter.recordSuccess(key);
      return true;
    }
    const { delayMs, retryAfterMs } = this.deps.limiter.recordFailure(key);
    this.recordFailure(scope, client, { wasLocked: locked > 0, retryAfterMs });
    if (delayMs > 0) await this.deps.sleep(delayMs);
    return locked > 0 ? { reason: "rate_limited", retryAfterMs } : { reason: "failed" };
  }

  private recordFailure(
    scope: RateLimitScope,
    client: ClientAddress,
    r: { readonly wasLocked: boolean; readonly retryAfterMs: number },
  ): void {
    const trail = this.deps.trail;
    if (!trail) return;
    const actor = { kind: "network", ip: client.ip } as const;
    void trail.record({ type: "auth.failed", actor, details: { scope, mode: this.mode } });
    if (!r.wasLocked && r.retryAfterMs > 0)
      void trail.record({ type: "auth.lockout", actor, details: { scope, retryAfterMs: r.retryAfterMs } });
  }
}
