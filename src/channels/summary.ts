import type { ChannelAccountStatus } from "./manager.js";
import { channelInfo } from "./registry.js";

const label = (channel: string) => (channel === "webchat" ? "WebChat" : (channelInfo(channel)?.label ?? channel));

/**
 * One line per running channel account for `status.channelSummary` (reference: the lines
 * `openclaw status` prints), e.g. `Telegram default: running (polling, @mybot)`. WebChat is the
 * gateway socket itself and is always listed.
 */
export function channelSummary(accounts: readonly ChannelAccountStatus[]): string[] {
  return [
    "WebChat: on the gateway socket",
    ...accounts.map((a) => {
      const extra = [a.mode, a.botUsername ? `@${a.botUsername}` : undefined, a.errorCode].filter(Boolean).join(", ");
      return `${label(a.channel)} ${a.accountId}: ${a.state}${extra ? ` (${extra})` : ""}`;
    }),
  ];
}

/**
 * The channel facts of `health` (what `openclaw health` reads): `channels` by id with their
 * accounts (`state`, `running`, `mode`, `botUsername`, `errorCode`), `channelOrder` and
 * `channelLabels`. Account credentials are never included.
 */
export function channelHealth(accounts: readonly ChannelAccountStatus[]): {
  channels: Record<string, unknown>;
  channelOrder: string[];
  channelLabels: Record<string, string>;
} {
  const order = [...new Set(accounts.map((a) => a.channel))];
  const channels = Object.fromEntries(
    order.map((ch) => {
      const mine = accounts.filter((a) => a.channel === ch);
      return [
        ch,
        {
          configured: true,
          running: mine.some((a) => a.state === "running"),
          accounts: Object.fromEntries(
            mine.map((a) => [
              a.accountId,
              {
                state: a.state,
                running: a.state === "running",
                ...(a.mode ? { mode: a.mode } : {}),
                ...(a.botUsername ? { botUsername: a.botUsername } : {}),
                ...(a.errorCode ? { errorCode: a.errorCode } : {}),
              },
            ]),
          ),
        },
      ];
    }),
  );
  return { channels, channelOrder: order, channelLabels: Object.fromEntries(order.map((ch) => [ch, label(ch)])) };
}
