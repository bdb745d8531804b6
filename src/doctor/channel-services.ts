import { probeSignalDaemon, resolveSignalAccounts } from "../channels/signal/index.js";
import type { HoldfastConfig } from "../config/index.js";
import type { ChannelCredentialStatus } from "./channel-credentials.js";

/**
 * The local services channels talk to, probed from here: for every Signal account the channel stage
 * would run (resolved by its own `resolveSignalAccounts`, the start check's code path), whether a
 * `signal-cli daemon --http` answers at its `httpUrl` — and if not, the command that starts it
 * (signal-cli is not bundled). Listed with the channel credentials (`present` = reachable). Settings
 * the channel stage refuses are reported by the `channels` start check instead (nothing is probed).
 */
export async function channelServices(
  config: HoldfastConfig,
  env: NodeJS.ProcessEnv,
): Promise<ChannelCredentialStatus[]> {
  let accounts;
  try {
    accounts = resolveSignalAccounts({ config, env, secrets: { get: () => undefined } });
  } catch {
    return [];
  }
  const out: ChannelCredentialStatus[] = [];
  for (const a of accounts) {
    const probe = await probeSignalDaemon(a.httpUrl, a.account);
    out.push({ channel: "signal", path: `${a.configPath}.httpUrl`, present: probe.ok, note: probe.note });
  }
  return out;
}
