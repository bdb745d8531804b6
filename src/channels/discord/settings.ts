import type { DiscordChannelConfig } from "../../config/index.js";
import { HoldfastError } from "../../errors/index.js";
import { channelAccounts } from "../accounts.js";
import type { AccountSettings, ChannelSettingsSource } from "../plugin-types.js";

/** Discord's limit for one message's content (characters). */
export const DISCORD_TEXT_LIMIT = 2000;
/** Default REST base (discord.js `rest.api`; the gateway URL comes from `GET /gateway/bot`). */
export const DISCORD_API_ROOT = "https://discord.com/api";
const ACCOUNT_ONLY_KEYS = ["token", "name", "enabled"];
const TOKEN_SHAPE = /^[A-Za-z0-9._-]{20,200}$/;

/** The gateway intents holdfast may request (names of discord.js `GatewayIntentBits`). */
export type DiscordIntent = "Guilds" | "GuildMessages" | "DirectMessages" | "MessageContent";

/** Everything needed to run one Discord bot account. */
export interface DiscordAccountSettings {
  readonly accountId: string;
  /** `channels.discord` or `channels.discord.accounts.<id>`. */
  readonly configPath: string;
  /** Access settings (the account block; `guilds` is the group allowlist). */
  readonly access: AccountSettings;
  readonly token: string;
  /** REST base without trailing slash (`apiRoot`, default {@link DISCORD_API_ROOT}). */
  readonly apiRoot: string;
  /** Only what the settings need: DMs unless `dmPolicy: "disabled"`, guilds unless `groupPolicy: "disabled"`. */
  readonly intents: readonly DiscordIntent[];
  /** Chunk size: `textChunkLimit` capped at 2000. */
  readonly textLimit: number;
}

/**
 * Resolves the Discord accounts to run. Token: `token` (plain, `${ENV}` or SecretRef, resolved into the
 * secrets snapshot), else — default account only — `DISCORD_BOT_TOKEN`; a leading `Bot ` is dropped.
 * Intents are derived from the access settings (Guilds always, for the channel cache; GuildMessages
 * unless guilds are off; DirectMessages unless DMs are off; MessageContent to read the text); the
 * privileged intents `channels.discord.intents` can name are never requested (the audit warns).
 * @throws HoldfastError HF_CHANNEL_CONFIG naming the key path (never a secret value).
 */
export function resolveDiscordAccounts(src: ChannelSettingsSource): DiscordAccountSettings[] {
  const accounts = channelAccounts<DiscordChannelConfig>(
    "discord",
    src.config.channels?.discord,
    ACCOUNT_ONLY_KEYS,
    (b) => b.token !== undefined,
  );
  return accounts.map(({ accountId, configPath: at, config }) => ({
    accountId,
    configPath: at,
    access: config,
    token: token(src, at, accountId),
    apiRoot: (config.apiRoot ?? DISCORD_API_ROOT).replace(/\/+$/, ""),
    intents: intentsFor(config),
    textLimit: Math.min(config.textChunkLimit ?? DISCORD_TEXT_LIMIT, DISCORD_TEXT_LIMIT),
  }));
}

function token(src: ChannelSettingsSource, at: string, accountId: string): string {
  const raw = src.secrets.get(`${at}.token`) ?? (accountId === "default" ? src.env.DISCORD_BOT_TOKEN : undefined);
  const value = raw?.trim().replace(/^Bot\s+/i, "");
  if (!value)
    throw new HoldfastError(
      "HF_CHANNEL_CONFIG",
      `${at}.token: no bot token for Discord account "${accountId}" (set ${at}.token${accountId === "default" ? " or DISCORD_BOT_TOKEN" : ""}, or ${at}.enabled: false)`,
      { path: `${at}.token` },
    );
  if (!TOKEN_SHAPE.test(value))
    throw new HoldfastError("HF_CHANNEL_CONFIG", `${at}.token: the value does not look like a Discord bot token`, {
      path: `${at}.token`,
    });
  return value;
}

function intentsFor(cfg: DiscordChannelConfig): DiscordIntent[] {
  return [
    "Guilds",
    ...(cfg.groupPolicy !== "disabled" ? (["GuildMessages"] as const) : []),
    ...(cfg.dmPolicy !== "disabled" ? (["DirectMessages"] as const) : []),
    "MessageContent",
  ];
}
