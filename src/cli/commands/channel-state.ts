import type { AppContext } from "../../app/index.js";
import { readPidInfo } from "../../client/index.js";
import { POLICY_CHANNEL_IDS, type HoldfastConfig } from "../../config/index.js";
import { errorMessage } from "../../errors/index.js";
import { RUNNABLE_CHANNELS, type ChannelError } from "../../channels/index.js";
import { normalizeAccountId } from "../../routing/index.js";
import { withLocalGateway } from "../context.js";

/** One account as the running gateway reports it (`channels.status`). No secrets. */
export interface LiveAccount {
  readonly channel: string;
  readonly accountId: string;
  readonly state: string;
  readonly mode?: string;
  readonly botUsername?: string;
  readonly errorCode?: string;
  readonly sinceMs?: number;
  readonly lastError?: ChannelError;
  readonly detail?: string;
}

/** What the running gateway says about its channel accounts, if one runs. */
export interface LiveChannels {
  readonly gatewayRunning: boolean;
  readonly pid?: number;
  /** Undefined when the gateway runs but could not be asked (`error` says why). */
  readonly accounts?: readonly LiveAccount[];
  readonly error?: string;
}

/** Asks the running gateway (`channels.status`, operator.read) for its accounts' live state. */
export async function liveChannels(ctx: AppContext): Promise<LiveChannels> {
  const pid = await readPidInfo(ctx.paths.pidFile);
  if (!pid) return { gatewayRunning: false };
  try {
    const res = (await withLocalGateway(["operator.read"], (c) => c.request("channels.status", {}), ctx)) as {
      accounts: LiveAccount[];
    };
    return { gatewayRunning: true, pid: pid.pid, accounts: res.accounts };
  } catch (err) {
    return { gatewayRunning: true, pid: pid.pid, error: errorMessage(err) };
  }
}

/** One channel account the config names. */
export interface ConfiguredAccount {
  readonly channel: string;
  readonly accountId: string;
  readonly configPath: string;
  readonly enabled: boolean;
}

/** Config keys of a channel (or account) block that hold or point at its credentials. */
export const CHANNEL_CREDENTIAL_KEYS = [
  "botToken",
  "token",
  "appToken",
  "signingSecret",
  "webhookSecret",
  "password",
  "tokenFile",
] as const;

/**
 * The channel accounts the config names: each `accounts.<id>`, and the top-level block (the `default`
 * account) when there are no `accounts` or it holds credentials of its own; `enabled` is false for
 * `enabled: false` on the account or its channel.
 */
export function configuredAccounts(config: HoldfastConfig): ConfiguredAccount[] {
  const out: ConfiguredAccount[] = [];
  for (const channel of POLICY_CHANNEL_IDS) {
    const block = config.channels?.[channel];
    if (!block) continue;
    const on = block.enabled !== false;
    const accounts = Object.entries(block.accounts ?? {});
    const own = CHANNEL_CREDENTIAL_KEYS.some((k) => (block as Record<string, unknown>)[k] !== undefined);
    if (accounts.length === 0 || own)
      out.push({ channel, accountId: "default", configPath: `channels.${channel}`, enabled: on });
    for (const [id, a] of accounts)
      out.push({
        channel,
        accountId: normalizeAccountId(id),
        configPath: `channels.${channel}.accounts.${id}`,
        enabled: on && a.enabled !== false,
      });
  }
  return out;
}

/**
 * The state to show for a configured account: the gateway's report when it runs the account; else
 * `disabled`, `not supported` (a channel holdfast does not run), `gateway not running`, `unknown`
 * (the gateway could not be asked) or `not running` (the gateway runs without this account: for the
 * default account of a channel with `accounts`, it has no credentials of its own).
 */
export function stateOf(a: ConfiguredAccount, live: LiveChannels): LiveAccount {
  const hit = live.accounts?.find((l) => l.channel === a.channel && l.accountId === a.accountId);
  if (hit) return hit;
  const state = !a.enabled
    ? "disabled"
    : !(RUNNABLE_CHANNELS as readonly string[]).includes(a.channel)
      ? "not supported"
      : !live.gatewayRunning
        ? "gateway not running"
        : live.accounts === undefined
          ? "unknown"
          : "not running";
  return { channel: a.channel, accountId: a.accountId, state };
}
