export { GatewayClient, GatewayRequestError } from "./gateway-client.js";
export { readPidInfo, connectLocalGateway, type PidInfo } from "./local-gateway.js";
export { chatTurn, type ChatTurn, type ChatTurnOptions, type ChatEventPayload } from "./chat-turn.js";
