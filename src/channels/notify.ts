import { PAIRING_APPROVED_TEXT } from "../access/index.js";
import { HoldfastError } from "../errors/index.js";
import type { Clock } from "../infra/index.js";
import type { ChannelPlugin, ChannelSettingsSource } from "./plugin-types.js";
import { loadChannel, RUNNABLE_CHANNELS } from "./plugins.js";

/**
 * Refuses `--notify` up front (before anything is approved) for a channel that cannot send a notice
 * without its running account (WhatsApp), or that holdfast does not run.
 * @throws HoldfastError HF_CHANNEL_UNKNOWN with the reason.
 */
export async function assertNotifySupported(channel: string): Promise<void> {
  const plugin = await runnable(channel);
  if (plugin.noticeRefusal)
    throw new HoldfastError("HF_CHANNEL_UNKNOWN", `${plugin.noticeRefusal}. Nothing was approved.`);
}

async function runnable(channel: string): Promise<ChannelPlugin> {
  const plugin = await loadChannel(channel);
  if (!plugin)
    throw new HoldfastError(
      "HF_CHANNEL_UNKNOWN",
      `--notify is not supported for channel "${channel}" (holdfast runs ${RUNNABLE_CHANNELS.join(", ")})`,
    );
  return plugin;
}

/**
 * Tells an approved sender that they may start chatting (`holdfast pairing approve --notify`), through
 * the platform API of the account they paired with (a DM to the user). Works whether or not the
 * gateway runs; only the channel's own module is loaded.
 * @throws HoldfastError HF_CHANNEL_UNKNOWN (channel without notify support or unknown account),
 *   HF_CHANNEL_CONFIG, HF_CHANNEL_REFUSED, HF_CHANNEL_NETWORK, HF_CHANNEL_AUTH, HF_CHANNEL_SEND.
 */
export async function notifyPairingApproved(
  src: ChannelSettingsSource,
  { channel, accountId, senderId }: { channel: string; accountId: string; senderId: string },
  clock: Clock,
): Promise<void> {
  const plugin = await runnable(channel);
  await plugin.sendNotice(src, { accountId, userId: senderId, text: PAIRING_APPROVED_TEXT }, clock);
}
