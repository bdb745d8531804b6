import { HoldfastError } from "../../errors/index.js";
import type { Clock } from "../../infra/index.js";
import { TelegramAdapter, type TelegramAdapterDeps } from "./adapter.js";
import { createBotApi, sendTelegramText } from "./bot-api.js";
import { resolveTelegramAccounts, type TelegramAccountSettings, type TelegramSettingsSource } from "./settings.js";

export { TelegramAdapter, type TelegramAdapterDeps } from "./adapter.js";
export { normalizeTelegramUpdate } from "./normalize.js";
export {
  resolveTelegramAccounts,
  TELEGRAM_TEXT_LIMIT,
  TELEGRAM_API_ROOT,
  type TelegramAccountSettings,
  type TelegramSettingsSource,
} from "./settings.js";

/** One adapter per configured Telegram account. @throws HoldfastError HF_CHANNEL_CONFIG. */
export async function createTelegramAdapters(
  src: TelegramSettingsSource,
  deps: TelegramAdapterDeps,
): Promise<{ adapter: TelegramAdapter; settings: TelegramAccountSettings }[]> {
  const accounts = await resolveTelegramAccounts(src);
  return accounts.map((settings) => ({
    settings,
    adapter: new TelegramAdapter(settings, {
      ...deps,
      log: deps.log.child({ channel: "telegram", accountId: settings.accountId }),
    }),
  }));
}

/**
 * Sends one text to a Telegram chat through the Bot API of a configured account, without running the
 * account (used by `holdfast pairing approve --notify`; a DM's chat id is the user id).
 * @throws HoldfastError HF_CHANNEL_UNKNOWN (no such account), HF_CHANNEL_CONFIG, and the send failures of
 *   {@link sendTelegramText} (HF_CHANNEL_REFUSED, HF_CHANNEL_NETWORK, HF_CHANNEL_AUTH, HF_CHANNEL_SEND).
 */
export async function sendTelegramNotice(
  src: TelegramSettingsSource,
  { accountId, chatId, text }: { accountId: string; chatId: string; text: string },
  clock: Clock,
): Promise<void> {
  const account = (await resolveTelegramAccounts(src)).find((a) => a.accountId === accountId);
  if (!account)
    throw new HoldfastError(
      "HF_CHANNEL_UNKNOWN",
      `no Telegram account "${accountId}" is configured (channels.telegram)`,
    );
  await sendTelegramText(
    createBotApi(account.token, account.apiRoot, account.requestTimeoutSec),
    { chatId, text },
    account.textLimit,
    clock,
  );
}
