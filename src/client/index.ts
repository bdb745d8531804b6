export { GatewayClient, GatewayRequestError, type GatewayClientOptions } from "./gateway-client.js";
export { readPidInfo, connectLocalGateway, type PidInfo } from "./local-gateway.js";
