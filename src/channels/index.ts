/**
 * Channels: platform adapters (Telegram on grammY, Slack on Bolt, Discord on discord.js — each loaded
 * only when configured; WebChat over the gateway socket), the inbound pipeline (adapter → access
 * control → routing → chat commands → agent run → reply) and outbound sending for other stages
 * (`ChannelService.send`, used by the `message` tool), within each account's access policy.
 */
export type {
  ChannelAdapter,
  InboundMessage,
  OutboundMessage,
  MediaRef,
  InboundSink,
  AdapterStatus,
  ChannelError,
  OutboundTarget,
} from "./adapter.js";
export type { ChannelAccountStatus } from "./manager.js";
export { channelDegradations } from "./status.js";
export {
  createChannelService,
  type ChannelService,
  type ChannelServiceDeps,
  type AccountSettings,
  type SendOutcome,
  type DurableReply,
} from "./service.js";
export { ReplyDispatcher, type RunEnd } from "./replies.js";
export type { ChannelPlugin, ChannelSettingsSource, AdapterDeps, ConfiguredAdapter } from "./plugin-types.js";
export { RUNNABLE_CHANNELS, type RunnableChannel, channelConfigured } from "./plugins.js";
export { jitteredDelayMs, reconnectDelayBounds } from "./reconnect.js";
export { assertNotifySupported, notifyPairingApproved } from "./notify.js";
export { channelMethods, webLoginMethods } from "./methods.js";
export type { WebLogin, WebLoginStart, WebLoginWait } from "./web-login.js";
export type { WhatsAppConnector } from "./whatsapp/socket.js";
export { OutboxSender } from "./outbox-sender.js";
export { DurableInbound, type DurableInboundOptions, type InboundOffer } from "./durable-inbound.js";
export { channelSummary, channelHealth } from "./summary.js";
export { CHANNELS, channelInfo, checkChannelSettings, type ChannelInfo, type ChannelCredential } from "./registry.js";
// WhatsApp device linking for `holdfast channels login|logout` (Baileys is loaded only when called).
export const loadWhatsAppLinking = () => import("./whatsapp/linking.js");
export type { UnlinkOutcome } from "./whatsapp/login.js";
