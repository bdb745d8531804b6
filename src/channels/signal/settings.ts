import type { SignalChannelConfig } from "../../config/index.js";
import { HoldfastError } from "../../errors/index.js";
import { channelAccounts } from "../accounts.js";
import type { AccountSettings, ChannelSettingsSource } from "../plugin-types.js";
import { checkServiceUrl } from "../service-url.js";

/** Where `signal-cli daemon --http` listens by default. */
export const SIGNAL_HTTP_URL = "http://127.0.0.1:8080";
/**
 * Default chunk size of replies (characters). Signal sends longer texts as a long-text attachment;
 * holdfast keeps each message readable in one bubble.
 */
export const SIGNAL_CHUNK_DEFAULT = 4000;
const ACCOUNT_ONLY_KEYS = ["account", "httpUrl", "name", "enabled"];

/** Everything needed to talk to one Signal account through a signal-cli daemon. */
export interface SignalAccountSettings {
  readonly accountId: string;
  /** `channels.signal` or `channels.signal.accounts.<id>`. */
  readonly configPath: string;
  readonly access: AccountSettings;
  /** The bot's Signal number, E.164 (`account`). */
  readonly account: string;
  /** Base URL of the daemon's HTTP endpoint, no trailing slash. */
  readonly httpUrl: string;
  /** Chunk size of replies: `textChunkLimit`, default {@link SIGNAL_CHUNK_DEFAULT}. */
  readonly textLimit: number;
}

/**
 * Resolves the Signal accounts to run. `account` (the number signal-cli is registered or linked with,
 * E.164) is required; `httpUrl` defaults to {@link SIGNAL_HTTP_URL} and must be https:// unless it is
 * loopback (refused with the reason otherwise).
 * @throws HoldfastError HF_CHANNEL_CONFIG naming the key path.
 */
export function resolveSignalAccounts(src: ChannelSettingsSource): SignalAccountSettings[] {
  const accounts = channelAccounts<SignalChannelConfig>(
    "signal",
    src.config.channels?.signal,
    ACCOUNT_ONLY_KEYS,
    (b) => b.account !== undefined,
  );
  const out = accounts.map(({ accountId, configPath: at, config }) => ({
    accountId,
    configPath: at,
    access: config,
    account: e164(config.account, `${at}.account`),
    httpUrl: checkServiceUrl(config.httpUrl ?? SIGNAL_HTTP_URL, `${at}.httpUrl`),
    textLimit: config.textChunkLimit ?? SIGNAL_CHUNK_DEFAULT,
  }));
  const seen = new Map<string, string>();
  for (const a of out) {
    const key = `${a.httpUrl} ${a.account}`;
    const other = seen.get(key);
    if (other !== undefined)
      throw new HoldfastError("HF_CHANNEL_CONFIG", `${a.configPath}.account: also used by account "${other}"`);
    seen.set(key, a.accountId);
  }
  return out;
}

/** A phone number in E.164 form (`+` and 7 to 15 digits, no leading 0). */
export function isE164(v: string): boolean {
  return /^\+[1-9]\d{6,14}$/.test(v);
}

function e164(raw: string | undefined, at: string): string {
  const v = raw?.trim() ?? "";
  if (v === "")
    throw new HoldfastError(
      "HF_CHANNEL_CONFIG",
      `${at}: required (the Signal number signal-cli is registered with, e.g. "+15551234567"), or enabled: false`,
      { path: at },
    );
  if (!isE164(v))
    throw new HoldfastError("HF_CHANNEL_CONFIG", `${at}: must be a phone number in E.164 form ("+15551234567")`, {
      path: at,
    });
  return v;
}
