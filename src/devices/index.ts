export {
  DeviceStore,
  PENDING_TTL_MS,
  MAX_PENDING,
  type PairedDevice,
  type PendingRequest,
  type DeviceRequest,
} from "./store.js";
export { DeviceRegistry, type DeviceRegistryOptions } from "./authority.js";
export { deviceMethods, viewPaired, type PairedDeviceView } from "./methods.js";
export {
  generateDeviceIdentity,
  deviceIdOf,
  devicePayload,
  signConnect,
  verifyDeviceBlock,
  DEVICE_SIGNATURE_SKEW_MS,
  PROOF_FAILURES,
  type DeviceIdentity,
  type DeviceBlock,
  type ProofFailure,
} from "./proof.js";
