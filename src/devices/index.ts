export { DeviceStore, type PendingRequest } from "./store.js";
export { DeviceRegistry } from "./authority.js";
export { deviceMethods, nodePairingMethods, viewPaired, type PairedDeviceView } from "./methods.js";
export { generateDeviceIdentity, signConnect, type DeviceIdentity } from "./proof.js";
