import type { Degradation } from "../gateway/index.js";
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
