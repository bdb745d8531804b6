import { HoldfastError } from "../errors/index.js";
import { normalizeAccountId } from "../routing/index.js";

/** One configured account of a channel, with its effective settings. */
export interface ChannelAccount<T> {
  /** Normalized account id (`default` for the top-level block). */
  readonly accountId: string;
  /** Top-level keys (minus account-only ones) overlaid by the account's own keys. */
  readonly config: T;
  /** Config key path of the account's block (`channels.telegram` or `channels.telegram.accounts.<id>`): secrets are looked up under it. */
  readonly configPath: string;
}

type Block = {
  readonly enabled?: boolean | undefined;
  readonly accounts?: Readonly<Record<string, object>> | undefined;
  readonly defaultAccount?: string | undefined;
};

/**
 * Lists the accounts of `channels.<channel>`. Without `accounts`, the top-level block is the one
 * account `default`. With `accounts`, each enabled `accounts.<id>` is an account whose settings
 * inherit the top-level block's (account keys win) except `accountOnlyKeys` (credentials, webhook
 * endpoints), and the top-level block is also the `default` account when `hasOwnCredentials` says it
 * carries its own. `enabled: false` (channel or account) turns it off.
 * @throws HoldfastError HF_CHANNEL_CONFIG when two account ids normalize to the same id.
 */
export function channelAccounts<T extends object>(
  channel: string,
  block: (T & Block) | undefined,
  accountOnlyKeys: readonly string[],
  hasOwnCredentials: (b: T) => boolean,
): ChannelAccount<T>[] {
  if (!block || block.enabled === false) return [];
  const { accounts, defaultAccount: _d, ...top } = block as T & Block;
  const entries = Object.entries(accounts ?? {});
  if (entries.length === 0) return [{ accountId: "default", config: top as T, configPath: `channels.${channel}` }];
  const inherited = Object.fromEntries(Object.entries(top).filter(([k]) => !accountOnlyKeys.includes(k)));
  const out: ChannelAccount<T>[] = [];
  const seen = new Map<string, string>();
  const add = (rawId: string, account: ChannelAccount<T>) => {
    const clash = seen.get(account.accountId);
    if (clash !== undefined)
      throw new HoldfastError(
        "HF_CHANNEL_CONFIG",
        `channels.${channel}: accounts "${clash}" and "${rawId}" have the same id "${account.accountId}"`,
      );
    seen.set(account.accountId, rawId);
    out.push(account);
  };
  for (const [id, acct] of entries) {
    if ((acct as Block).enabled === false) continue;
    add(id, {
      accountId: normalizeAccountId(id),
      config: { ...inherited, ...acct } as T,
      configPath: `channels.${channel}.accounts.${id}`,
    });
  }
  if (hasOwnCredentials(top as T) && !seen.has("default"))
    add("(top level)", { accountId: "default", config: top as T, configPath: `channels.${channel}` });
  return out;
}
