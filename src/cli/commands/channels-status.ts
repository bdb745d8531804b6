import type { Command } from "commander";
import { cliHint } from "../../infra/index.js";
import { cliContext } from "../context.js";
import { printJson, type CliIo } from "../io.js";
import { configuredAccounts, liveChannels, stateOf, type LiveAccount } from "./channel-state.js";

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
 * lasts), then why it stopped and its last error, kept after recovery. Nothing here is secret: the
 * gateway masks the account's credentials and URLs in platform messages.
 */
export function formatChannelStatus(accounts: readonly LiveAccount[], now: number): string[] {
  if (accounts.length === 0) return ["no channel accounts configured (WebChat runs on the gateway itself)"];
  const lines: string[] = [];
  for (const a of accounts) {
    const about = [a.mode, a.botUsername ? `@${a.botUsername}` : undefined].filter(Boolean).join(", ");
    const problem =
      a.errorCode !== undefined ? ` ${a.errorCode}${a.sinceMs !== undefined ? ` for ${ago(a.sinceMs, now)}` : ""}` : "";
    lines.push(`${a.channel}/${a.accountId}: ${a.state}${problem}${about ? ` (${about})` : ""}`);
    if (a.detail) lines.push(`  ${a.detail}`);
    if (a.lastError)
      lines.push(`  last error ${ago(a.lastError.atMs, now)} ago: ${a.lastError.code} ${a.lastError.message}`);
  }
  return lines;
}

/**
 * `holdfast channels status [--json]`: every configured channel account with its state as the running
 * gateway reports it (WS `channels.status`, scope `operator.read`: running, connecting, retrying,
 * failed, stopped, with the problem being retried and the last error); without a gateway, what the
 * config says (`gateway not running`, `disabled`). JSON: `{gateway: {running, pid?, error?}, accounts}`.
 */
export function registerChannelStatus(channels: Command, io: CliIo): void {
  channels
    .command("status")
    .description("show each channel account's state, current problem and last error (from the running gateway)")
    .option("--json", "JSON output")
    .action(async (o: { json?: boolean }) => {
      const ctx = await cliContext();
      const live = await liveChannels(ctx);
      const configured = configuredAccounts(ctx.config).map((a) => ({ ...stateOf(a, live), configPath: a.configPath }));
      const extra = (live.accounts ?? []).filter(
        (l) => !configured.some((a) => a.channel === l.channel && a.accountId === l.accountId),
      );
      const accounts = [...configured, ...extra];
      const gateway = {
        running: live.gatewayRunning,
        ...(live.pid ? { pid: live.pid } : {}),
        ...(live.error ? { error: live.error } : {}),
      };
      if (o.json) return printJson(io, { gateway, accounts });
      io.out(
        live.gatewayRunning
          ? `gateway: running (pid ${live.pid})${live.error ? `; could not ask it: ${live.error}` : ""}`
          : `gateway: not running (${cliHint("gateway")} starts it)`,
      );
      for (const line of formatChannelStatus(accounts, ctx.clock.now())) io.out(line);
    });
}
