import { z } from "zod";
import { defineMethod, type AnyMethodDef, type Degradation } from "../gateway/index.js";
import type { ChannelAccountStatus } from "./manager.js";

/**
 * Channel accounts that cannot receive right now (retrying through a failure, or stopped by one) as
 * health degradations: `channel:<channel>/<account>` with the failure's code and message. A stopped
 * account (`holdfast gateway stop`, shutdown) is not degraded.
 */
export function channelDegradations(accounts: readonly ChannelAccountStatus[]): Degradation[] {
  return accounts
    .filter((a) => a.state === "retrying" || a.state === "failed")
    .map((a) => ({
      component: `channel:${a.channel}/${a.accountId}`,
      code: a.errorCode ?? a.lastError?.code ?? "HF_CHANNEL_NETWORK",
      message: `${a.state === "failed" ? "stopped" : "retrying"}: ${a.lastError?.message ?? "no answer from the platform"}`,
      ...(a.sinceMs !== undefined ? { sinceMs: a.sinceMs } : {}),
    }));
}

/**
 * `channels.status` (scope `operator.read`) → `{accounts: [{channel, accountId, state, mode,
 * botUsername?, errorCode?, sinceMs?, lastError?: {code, message, atMs}}]}`: what `holdfast channels
 * status` prints. No secrets: messages come from the platform's error descriptions with the bot token
 * masked.
 */
export function channelStatusMethods(status: () => readonly ChannelAccountStatus[]): AnyMethodDef[] {
  return [
    defineMethod({
      name: "channels.status",
      scope: "operator.read",
      params: z.looseObject({}),
      handler: () => ({ accounts: status() }),
    }),
  ];
}
