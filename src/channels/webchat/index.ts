/** WebChat: the channel whose transport is the authenticated gateway socket. */
export { createWebChat, type WebChatStageDeps } from "./stage.js";
