import type { ConnectParams, WireError } from "../protocol/frames.js";
import type { ClientAddress } from "../net.js";

/** A successful gateway authentication. */
export interface AuthSuccess {
  readonly ok: true;
  readonly method: "token" | "password" | "none" | "device-token" | "trusted-proxy" | "tailscale";
  readonly role: "operator" | "node";
  readonly scopes: readonly string[];
  readonly deviceId?: string;
  /** A device token issued on this connect (returned in hello-ok). */
  readonly deviceToken?: string;
  readonly user?: string;
}

/** A refused WS authentication: the error frame to send and the close code. */
export interface WsAuthFailure {
  readonly ok: false;
  readonly error: WireError;
  readonly closeCode: 1008 | 1002;
}

/** A refused HTTP authentication. */
export interface HttpAuthFailure {
  readonly ok: false;
  readonly status: 401 | 403 | 429;
  readonly body: unknown;
  readonly headers?: Record<string, string>;
}

/**
 * Decides who a client is. The gateway calls it for every WS `connect` and every protected HTTP
 * request; it never throws for a bad credential (that is a failure value).
 */
export interface GatewayAuthenticator {
  /** Mode in force (for status and the UI): token | password | trusted-proxy | none. */
  readonly mode: string;
  authenticateConnect(
    params: ConnectParams,
    client: ClientAddress,
    nonce: string,
  ): Promise<AuthSuccess | WsAuthFailure>;
  authenticateHttp(
    headers: Readonly<Record<string, string | string[] | undefined>>,
    client: ClientAddress,
  ): Promise<AuthSuccess | HttpAuthFailure>;
}

/** A verified device proof: the device id and its public key (base64url raw Ed25519). */
export type DeviceProof =
  | { readonly ok: true; readonly deviceId: string; readonly publicKey: string }
  | { readonly ok: false; readonly error: WireError };

/** Outcome of presenting a verified device after the connection's credential was accepted. */
export type DeviceAdmission =
  | { readonly status: "paired"; readonly deviceToken?: string }
  | { readonly status: "pending"; readonly requestId: string; readonly expiresAt: number };

/** What the device stage tells the authenticator about a device on `connect`. */
export interface DeviceAdmitRequest {
  readonly deviceId: string;
  readonly publicKey: string;
  readonly role: "operator" | "node";
  readonly scopes: readonly string[];
  readonly params: ConnectParams;
  readonly client: ClientAddress;
  /** How the connection authenticated before presenting the device (`token`, `password`, `none`, ...). */
  readonly authMethod: AuthSuccess["method"];
}

/**
 * Device identity and pairing as the authenticator uses them (implemented by the devices stage;
 * reference §3.4, §3.9; seeds "Device Pairing").
 */
export interface DeviceAuthority {
  /** Checks the `device` block of `connect` against the challenge nonce (signature, id, freshness). */
  verifyProof(params: ConnectParams, nonce: string): DeviceProof;
  /** Checks a device token of a paired device; the approved role and scopes when it matches. */
  checkToken(
    deviceId: string,
    token: string,
  ): Promise<{ readonly role: "operator" | "node"; readonly scopes: readonly string[] } | undefined>;
  /**
   * Called when a device connects with an accepted shared credential: paired devices get a fresh
   * device token; unknown devices are auto-approved when the client is direct-local, else get a
   * pending pairing request.
   */
  admit(req: DeviceAdmitRequest): Promise<DeviceAdmission>;
}
