/**
 * Channels: platform adapters (Telegram on grammY; WebChat over the gateway socket), the inbound
 * pipeline (adapter → access control → routing → chat commands → agent run → reply) and outbound
 * sending for other stages (`ChannelService.send`, used by the `message` tool).
 */
export type {
  ChannelAdapter,
  InboundMessage,
  OutboundMessage,
  MediaRef,
  InboundSink,
  AdapterStatus,
  ChannelError,
} from "./adapter.js";
export type { ChannelAccountStatus } from "./manager.js";
export { channelDegradations, channelStatusMethods } from "./status.js";
export { createChannelService, type ChannelService, type ChannelServiceDeps, type AccountSettings } from "./service.js";
export { notifyPairingApproved } from "./notify.js";
export {
  CHANNELS,
  CHANNEL_IDS,
  channelInfo,
  checkChannelSettings,
  type ChannelInfo,
  type ChannelCredential,
  type ChannelSettingsSource,
} from "./registry.js";
