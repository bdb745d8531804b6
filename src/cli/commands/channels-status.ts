import type { Command } from "commander";
import type { ChannelAccountStatus } from "../../channels/index.js";
import { withLocalGateway } from "../context.js";
import { printJson, type CliIo } from "../io.js";

/** How long ago `atMs` was, for people: `12 s`, `4 min`, `3 h`, `2 d`. */
function ago(atMs: number, now: number): string {
  const s = Math.max(0, Math.round((now - atMs) / 1000));
  if (s < 120) return `${s} s`;
  if (s < 7_200) return `${Math.round(s / 60)} min`;
  if (s < 172_800) return `${Math.round(s / 3_600)} h`;
  return `${Math.round(s / 86_400)} d`;
}

/**
 * The lines of `holdfast channels status`: one per account with its state (and since when a problem
 * lasts), then its last error, kept after recovery. Nothing here is secret: the gateway masks the bot
 * token in platform messages.
 */
export function formatChannelStatus(accounts: readonly ChannelAccountStatus[], now: number): string[] {
  if (accounts.length === 0) return ["no channel accounts configured (WebChat runs on the gateway itself)"];
  const lines: string[] = [];
  for (const a of accounts) {
    const about = [a.mode, a.botUsername ? `@${a.botUsername}` : undefined].filter(Boolean).join(", ");
    const problem =
      a.errorCode !== undefined ? ` ${a.errorCode}${a.sinceMs !== undefined ? ` for ${ago(a.sinceMs, now)}` : ""}` : "";
    lines.push(`${a.channel}/${a.accountId}: ${a.state}${problem}${about ? ` (${about})` : ""}`);
    if (a.lastError)
      lines.push(`  last error ${ago(a.lastError.atMs, now)} ago: ${a.lastError.code} ${a.lastError.message}`);
  }
  return lines;
}

/**
 * `holdfast channels status [--json]`: the running gateway's channel accounts (WS `channels.status`,
 * scope `operator.read`): state, mode, bot, the problem being retried and the last error.
 */
export function registerChannelStatus(channels: Command, io: CliIo): void {
  channels
    .command("status")
    .description("show the running gateway's channel accounts: state, current problem, last error")
    .option("--json", "JSON output")
    .action(async (o: { json?: boolean }) => {
      const { accounts } = (await withLocalGateway(["operator.read"], (c) => c.request("channels.status"))) as {
        accounts: ChannelAccountStatus[];
      };
      if (o.json) return printJson(io, { accounts });
      for (const line of formatChannelStatus(accounts, Date.now())) io.out(line);
    });
}
