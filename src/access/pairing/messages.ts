import { cliHint } from "../../infra/index.js";
const FENCE = "```";

/** Channel display names for the id line of the pairing reply. */
const CHANNEL_NAMES: Readonly<Record<string, string>> = {
  telegram: "Telegram",
  whatsapp: "WhatsApp",
  discord: "Discord",
  slack: "Slack",
  signal: "Signal",
  imessage: "iMessage",
  bluebubbles: "BlueBubbles",
};

/**
 * The one reply an unknown DM sender gets under `dmPolicy: "pairing"`: lines joined by `\n`, in the
 * reference's shape (§4.3) with holdfast's name and CLI:
 * `holdfast: access not configured.`, blank, `Your <Channel> user id: <id>`, `Pairing code:`, the code
 * fenced by three backticks, blank, `Ask the bot owner to approve with:`, the approve command fenced.
 */
export function pairingReplyText(channel: string, senderId: string, code: string): string {
  const name = CHANNEL_NAMES[channel] ?? channel;
  return [
    "holdfast: access not configured.",
    "",
    `Your ${name} user id: ${senderId}`,
    "Pairing code:",
    FENCE,
    code,
    FENCE,
    "",
    "Ask the bot owner to approve with:",
    FENCE,
    cliHint(`pairing approve ${channel} ${code}`),
    FENCE,
  ].join("\n");
}

/** Sent to an approved sender by `holdfast pairing approve --notify` (reference §4.3). */
export const PAIRING_APPROVED_TEXT = "✅ holdfast access approved. Send a message to start chatting.";
