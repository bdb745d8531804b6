export { webChatMethods, type WebChatDeps } from "./methods.js";
export { toGatewayEvent } from "./chat-events.js";
