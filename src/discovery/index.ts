export {
  effectiveMdnsMode,
  mdnsTxt,
  mdnsNames,
  advertiseGateway,
  MDNS_SERVICE_TYPE,
  LEAKING_TXT_KEYS,
  type MdnsMode,
  type AdvertisedGateway,
  type AdvertiseOptions,
  type MdnsAdvertisement,
} from "./mdns.js";
export { createDiscoveryStage, type DiscoveryStage, type DiscoveryStageDeps } from "./stage.js";
