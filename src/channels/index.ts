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
} from "./adapter.js";
export {
  createChannelService,
  type ChannelService,
  type ChannelServiceDeps,
  type AccountSettings,
  type ChannelSend,
} from "./service.js";
export { ChannelManager, type ChannelAccountStatus } from "./manager.js";
export { InboundPipeline, type AccountRuntime, type PipelineDeps } from "./pipeline.js";
export { chunkText } from "./chunk.js";
export { channelAccounts, type ChannelAccount } from "./accounts.js";
export { untilSuccess, type RetryVerdict } from "./reconnect.js";
export { resolveTelegramAccounts, TELEGRAM_TEXT_LIMIT } from "./telegram/settings.js";
export { notifyPairingApproved } from "./notify.js";
