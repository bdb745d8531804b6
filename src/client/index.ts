export { GatewayClient, GatewayRequestError, type GatewayClientOptions } from "./gateway-client.js";
export { readPidInfo, connectLocalGateway, type PidInfo } from "./local-gateway.js";
export { pinnedTlsConnect, normalizePin } from "./tls-pin.js";
