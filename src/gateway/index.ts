export { GatewayServer, type GatewayServerOptions } from "./server.js";
export {
  GatewayHub,
  StatusRegistry,
  PublicRoutes,
  type StatusFact,
  type MethodRegistrar,
  type EventBroadcaster,
  type GatewayConnections,
  type GatewayPorts,
} from "./hub.js";
export { createGatewayStage, type GatewayStage, type GatewayStageDeps } from "./stage.js";
export {
  createExposure,
  exposureAuthenticator,
  exposureInput,
  type ExposureContext,
  type ExposureOptions,
  type GatewayExposure,
} from "./exposure-stage.js";
export { configuredCredentials, type ConfiguredCredentials, type CredentialSources } from "./credentials.js";
export {
  MethodRegistry,
  defineMethod,
  type MethodDef,
  type AnyMethodDef,
  type MethodContext,
  type ConnectionInfo,
} from "./methods/registry.js";
export { Broadcaster, type EventSink } from "./broadcaster.js";
export { credentialFromHeader, providedSecret, type SharedSecret } from "./auth/shared-secret.js";
export { UNAUTHORIZED_BODY, RATE_LIMITED_BODY, authWireError, type AuthReason } from "./auth/failures.js";
export { ExposureAuthenticator, type AuthSettings, type AuthenticatorDeps } from "./auth/gateway-authenticator.js";
export { AuthRateLimiter, DEFAULT_RATE_LIMIT, limiterKey, type RateLimitConfig } from "./auth/rate-limit.js";
export {
  authorizeTrustedProxy,
  verifyTailscaleIdentity,
  type TrustedProxyAuthConfig,
  type TailscaleWhois,
} from "./auth/identity-headers.js";
export type {
  GatewayAuthenticator,
  AuthSuccess,
  WsAuthFailure,
  HttpAuthFailure,
  DeviceAuthority,
  DeviceProof,
  DeviceAdmission,
  DeviceAdmitRequest,
} from "./auth/types.js";
export {
  directClientAddress,
  resolveClientAddress,
  proxyMatcher,
  invalidProxyEntry,
  isLoopbackAddress,
  normalizeIp,
  hasForwardingHeaders,
  NO_PROXY_TRUST,
  type ClientAddress,
  type ProxyTrust,
} from "./net.js";
export { checkOrigin, normalizeOrigin, ORIGIN_NOT_ALLOWED, type OriginPolicy } from "./origin.js";
export {
  OPERATOR_SCOPES,
  ADMIN_METHOD_PREFIXES,
  hasScope,
  knownScopes,
  requiredScope,
  capScopes,
  type Scope,
} from "./scopes.js";
export {
  PROTOCOL_VERSION,
  MAX_FRAME_BYTES,
  MAX_BUFFERED_BYTES,
  TICK_INTERVAL_MS,
  type WireError,
  type ConnectParams,
} from "./protocol/frames.js";
export { toWireError, type RedactText } from "./protocol/wire-errors.js";
export {
  resolveBindHosts,
  isLoopbackOnly,
  findTailnetAddress,
  isTailnetAddress,
  detectContainer,
  BIND_MODES,
  type BindMode,
  type BindInput,
} from "./bind.js";
export {
  planExposure,
  type ExposureInput,
  type ExposurePlan,
  type AuthMode,
  type TailscaleMode,
  type SourcedSecret,
} from "./exposure.js";
export {
  weakSecretReason,
  weakSecretMessage,
  KNOWN_WEAK_SECRETS,
  MIN_TOKEN_LENGTH,
  MIN_PASSWORD_LENGTH,
} from "./secret-strength.js";
export { loadTls, type TlsConfig, type TlsMaterial } from "./tls.js";
export { tailscaleCli, tailscaleWhois, TailscaleExposure, type TailscaleRunner } from "./tailscale.js";
