export {
  GatewayHub,
  StatusRegistry,
  REDACTED_PATH,
  type FactView,
  HealthRegistry,
  PublicRoutes,
  type PublicRouteMount,
  type RequestClient,
  type Degradation,
  type HealthCheck,
  type MethodRegistrar,
  type EventBroadcaster,
  type GatewayConnections,
  type GatewayPorts,
} from "./hub.js";
export { createGatewayStage, type GatewayStage } from "./stage.js";
export {
  createExposure,
  checkExposure,
  exposureInput,
  type ExposureOptions,
  type GatewayExposure,
  type CheckedExposure,
} from "./exposure-stage.js";
export { configuredCredentials, generatedToken } from "./credentials.js";
export {
  defineMethod,
  type AnyMethodDef,
  type ClientMeta,
  type ConnectionInfo,
  type MethodContext,
} from "./methods/registry.js";
export type { EventSink } from "./broadcaster.js";
export type { DeviceAuthority, DeviceProof, DeviceAdmission, DeviceAdmitRequest } from "./auth/types.js";
export type { ConnectParams } from "./protocol/frames.js";
export { BIND_MODES, type BindMode } from "./bind.js";
export { planExposure } from "./exposure.js";
export { hasScope, OPERATOR_SCOPES, type Scope } from "./scopes.js";
export { AuthRateLimiter, type LimiterKey } from "./auth/rate-limit.js";
export { isLoopbackAddress, type ClientAddress } from "./net.js";
