export { effectiveMdnsMode, MDNS_SERVICE_TYPE, LEAKING_TXT_KEYS } from "./mdns.js";
export { createDiscoveryStage, type DiscoveryStage } from "./stage.js";
