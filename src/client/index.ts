export { GatewayClient, GatewayRequestError } from "./gateway-client.js";
export { readPidInfo, connectLocalGateway, type PidInfo } from "./local-gateway.js";
