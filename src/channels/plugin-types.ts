import type { AccountAccessConfig } from "../access/index.js";
import type { HoldfastConfig } from "../config/index.js";
import type { Clock } from "../infra/index.js";
import type { Logger } from "../logging/index.js";
import type { ChannelQueues } from "../store/index.js";
import type { DmScope } from "../routing/index.js";
import type { ChannelAdapter } from "./adapter.js";
import type { WhatsAppConnector } from "./whatsapp/socket.js";

/** An account's settings as the channel stage reads them (any channel's merged account block). */
export type AccountSettings = AccountAccessConfig & {
  readonly dmScope?: DmScope | undefined;
  readonly mediaMaxMb?: number | undefined;
};

/** Where a channel's settings, secrets and environment fallbacks come from. */
export interface ChannelSettingsSource {
  readonly config: HoldfastConfig;
  /** The resolved secrets snapshot, by config key path (`channels.slack.botToken`). */
  readonly secrets: { get(path: string): string | undefined };
  readonly env: NodeJS.ProcessEnv;
  /** holdfast's state directory (the channel stage passes it): WhatsApp keeps its auth state under it. */
  readonly stateDir?: string;
  /**
   * How WhatsApp sockets are made (accounts and `web.login.*` linking): Baileys' `makeWASocket` when
   * absent. A test process passes a fake of WhatsApp here (`GatewayStartOptions.whatsappConnector`).
   */
  readonly whatsappConnector?: WhatsAppConnector;
}

/** What every adapter is built with. */
export interface AdapterDeps {
  readonly log: Logger;
  readonly clock: Clock;
  /**
   * The durable inbound queue and outbox of one of this channel's accounts (the state store). Every
   * adapter queues what the platform delivers here before it acknowledges it (see `DurableInbound`).
   */
  readonly queues: (accountId: string) => ChannelQueues;
}

/** One configured account: its adapter and the access settings its policy is resolved from. */
export interface ConfiguredAdapter {
  readonly adapter: ChannelAdapter;
  readonly settings: AccountSettings;
}

/** A one-shot send through an account that is not running (`holdfast pairing approve --notify`). */
export interface NoticeRequest {
  readonly accountId: string;
  /** A user id: the notice goes to that user's DM. */
  readonly userId: string;
  readonly text: string;
}

/**
 * What a channel implementation module (`src/channels/<channel>/index.ts`) provides. The module — and
 * the platform library it imports — is loaded only when `channels.<channel>` is configured.
 */
export interface ChannelPlugin {
  /**
   * One adapter per enabled account of `channels.<channel>`. Nothing connects yet.
   * @throws HoldfastError HF_CHANNEL_CONFIG naming the key path (never a secret value).
   */
  createAdapters(src: ChannelSettingsSource, deps: AdapterDeps): Promise<ConfiguredAdapter[]>;
  /**
   * Sends one text to a user's DM through a configured account without running it.
   * @throws HoldfastError HF_CHANNEL_UNKNOWN (no such account), HF_CHANNEL_CONFIG, HF_CHANNEL_REFUSED,
   *   HF_CHANNEL_NETWORK, HF_CHANNEL_AUTH, HF_CHANNEL_SEND.
   */
  sendNotice(src: ChannelSettingsSource, req: NoticeRequest, clock: Clock): Promise<void>;
  /**
   * Why this channel cannot send a notice without running the account (then `sendNotice` always
   * refuses); `holdfast pairing approve --notify` says so before it approves anything.
   */
  readonly noticeRefusal?: string;
}
