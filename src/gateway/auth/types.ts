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
  authenticateConnect(params: ConnectParams, client: ClientAddress, nonce: string): Promise<AuthSuccess | WsAuthFailure>;
  authenticateHttp(headers: Readonly<Record<string, string | string[] | undefined>>, client: ClientAddress): Promise<AuthSuccess | HttpAuthFailure>;
}
