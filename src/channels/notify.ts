import { PAIRING_APPROVED_TEXT } from "../access/index.js";
import { HoldfastError } from "../errors/index.js";
import type { Clock } from "../infra/index.js";
import type { TelegramSettingsSource } from "./telegram/settings.js";

/**
 * Tells an approved sender that they may start chatting (`holdfast pairing approve --notify`), through
 * the platform API of the account they paired with. Works whether or not the gateway runs.
 * @throws HoldfastError HF_CHANNEL_UNKNOWN (channel without notify support or unknown account),
 *   HF_CHANNEL_CONFIG, HF_CHANNEL_REFUSED, HF_CHANNEL_NETWORK, HF_CHANNEL_AUTH, HF_CHANNEL_SEND.
 */
export async function notifyPairingApproved(
  src: TelegramSettingsSource,
  { channel, accountId, senderId }: { channel: string; accountId: string; senderId: string },
  clock: Clock,
): Promise<void> {
  if (channel !== "telegram")
    throw new HoldfastError(
      "HF_CHANNEL_UNKNOWN",
      `--notify is not supported for channel "${channel}" (holdfast runs telegram)`,
    );
  const { sendTelegramNotice } = await import("./telegram/index.js");
  await sendTelegramNotice(src, { accountId, chatId: senderId, text: PAIRING_APPROVED_TEXT }, clock);
}
