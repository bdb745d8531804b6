import { probeSignalDaemon, SIGNAL_HTTP_URL } from "../channels/signal/index.js";
import type { HoldfastConfig } from "../config/index.js";
import type { ChannelCredentialStatus } from "./channel-credentials.js";

type Block = { enabled?: boolean; account?: string; httpUrl?: string; accounts?: Record<string, Block> };

/**
 * The local services channels talk to, probed from here: for every enabled Signal account, whether a
 * `signal-cli daemon --http` answers at its `httpUrl` — and if not, the command that starts it
 * (signal-cli is not bundled). Listed with the channel credentials (`present` = reachable).
 */
export async function channelServices(config: HoldfastConfig): Promise<ChannelCredentialStatus[]> {
  const top = config.channels?.signal as Block | undefined;
  if (!top || top.enabled === false) return [];
  const { accounts, ...rest } = top;
  const holders: [string, Block][] =
    Object.keys(accounts ?? {}).length === 0 || rest.account ? [["channels.signal", rest]] : [];
  for (const [id, a] of Object.entries(accounts ?? {}))
    if (a.enabled !== false) holders.push([`channels.signal.accounts.${id}`, { ...rest, ...a }]);
  const out: ChannelCredentialStatus[] = [];
  for (const [at, b] of holders) {
    if (!b.account) continue;
    const url = b.httpUrl ?? SIGNAL_HTTP_URL;
    let probe;
    try {
      probe = await probeSignalDaemon(new URL(url).toString().replace(/\/+$/, ""), b.account);
    } catch {
      probe = { ok: false, note: `${at}.httpUrl is not a URL` };
    }
    out.push({ channel: "signal", path: `${at}.httpUrl`, present: probe.ok, note: probe.note });
  }
  return out;
}
