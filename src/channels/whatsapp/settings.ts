import path from "node:path";
import type { WhatsAppChannelConfig } from "../../config/index.js";
import { channelAccounts } from "../accounts.js";
import type { AccountSettings, ChannelSettingsSource } from "../plugin-types.js";
import { whatsappAuthDir } from "./auth-store.js";

/** Default chunk size of a WhatsApp reply (characters). */
export const WHATSAPP_TEXT_LIMIT = 4000;
/** Longest text WhatsApp takes in one message (characters); `textChunkLimit` is capped at it. */
export const WHATSAPP_MAX_TEXT = 65_536;

/** Everything needed to run one WhatsApp account (one linked device). */
export interface WhatsAppAccountSettings {
  readonly accountId: string;
  /** `channels.whatsapp` or `channels.whatsapp.accounts.<id>`. */
  readonly configPath: string;
  readonly access: AccountSettings;
  /** `<stateDir>/credentials/whatsapp/<accountId>` (700; files 600). */
  readonly authDir: string;
  /** `selfChatMode` (default false): answer what the owner writes in the chat with their own number. */
  readonly selfChatMode: boolean;
  /** `sendReadReceipts` (default false): mark admitted messages read. */
  readonly sendReadReceipts: boolean;
  /** `textChunkLimit`, default {@link WHATSAPP_TEXT_LIMIT}, at most {@link WHATSAPP_MAX_TEXT}. */
  readonly textLimit: number;
}

/**
 * The WhatsApp accounts to run. WhatsApp has no token: an account is linked with `holdfast channels
 * login --channel whatsapp [--account <id>]`, which stores the device's auth state in
 * `<stateDir>/credentials/whatsapp/<accountId>/`. Without `accounts` the top-level block is the
 * account `default`; with `accounts`, each enabled `accounts.<id>` (inheriting the top-level access
 * keys) is one.
 */
export function resolveWhatsAppAccounts(src: ChannelSettingsSource, stateDir: string): WhatsAppAccountSettings[] {
  const accounts = channelAccounts<WhatsAppChannelConfig>(
    "whatsapp",
    src.config.channels?.whatsapp,
    ["name", "enabled"],
    () => false,
  );
  return accounts.map(({ accountId, configPath, config }) => ({
    accountId,
    configPath,
    access: config,
    authDir: whatsappAuthDir(path.join(stateDir, "credentials"), accountId),
    selfChatMode: config.selfChatMode === true,
    sendReadReceipts: config.sendReadReceipts === true,
    textLimit: Math.min(config.textChunkLimit ?? WHATSAPP_TEXT_LIMIT, WHATSAPP_MAX_TEXT),
  }));
}
