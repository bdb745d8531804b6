import type { GroupEntry, SlackChannelConfig, SlackChannelEntry } from "../../config/index.js";
import { HoldfastError } from "../../errors/index.js";
import { channelAccounts } from "../accounts.js";
import type { AccountSettings, ChannelSettingsSource } from "../plugin-types.js";
import { checkDistinctPaths, checkWebhookPath } from "../webhook-path.js";

/** Slack's hard limit for one message's text (characters). */
export const SLACK_TEXT_MAX = 40_000;
/** Where long replies are split by default: readable chunks well under {@link SLACK_TEXT_MAX}. */
export const SLACK_CHUNK_DEFAULT = 4_000;
/** Default Web API base URL (with the trailing slash the Web API client expects). */
export const SLACK_API_URL = "https://slack.com/api/";
const ACCOUNT_ONLY_KEYS = ["botToken", "appToken", "signingSecret", "webhookPath", "name", "enabled"];

/** Everything needed to run one Slack app account. */
export interface SlackAccountSettings {
  readonly accountId: string;
  /** `channels.slack` or `channels.slack.accounts.<id>`. */
  readonly configPath: string;
  /** Access settings: the account block with Slack's `channels` map folded into `groups`. */
  readonly access: AccountSettings;
  /** Bot token (`xoxb-…`). */
  readonly botToken: string;
  readonly mode: "socket" | "http";
  /** App-level token (`xapp-…`), Socket Mode only. */
  readonly appToken?: string;
  /** HTTP mode: the signing secret and the path served on the gateway port. */
  readonly http?: { readonly signingSecret: string; readonly path: string };
  /** Web API base URL, ending in `/` (`slackApiUrl`; tests, Enterprise Grid proxies). */
  readonly apiUrl: string;
  /** Chunk size of replies: `textChunkLimit` (default 4000) capped at 40 000. */
  readonly textLimit: number;
}

/**
 * Resolves the Slack accounts to run. Bot token: `botToken` (plain, `${ENV}` or SecretRef, resolved into
 * the secrets snapshot), else — default account only — `SLACK_BOT_TOKEN`; it must be a bot token
 * (`xoxb-`). Socket Mode (the default) needs an app-level token (`appToken` or `SLACK_APP_TOKEN`,
 * `xapp-`); HTTP mode needs `signingSecret` (fail closed: no unverified Events API endpoint) and serves
 * `webhookPath` (default `/slack/events`, `/slack/events/<account>` for extra accounts).
 * @throws HoldfastError HF_CHANNEL_CONFIG naming the key path (never a secret value).
 */
export function resolveSlackAccounts(src: ChannelSettingsSource): SlackAccountSettings[] {
  const accounts = channelAccounts<SlackChannelConfig>(
    "slack",
    src.config.channels?.slack,
    ACCOUNT_ONLY_KEYS,
    (b) => b.botToken !== undefined,
  );
  const out = accounts.map((a) => accountSettings(src, a.accountId, a.configPath, a.config));
  checkDistinctPaths(
    out.map((s) => ({ path: s.http?.path, at: `${s.configPath}.webhookPath`, accountId: s.accountId })),
  );
  return out;
}

function accountSettings(
  src: ChannelSettingsSource,
  accountId: string,
  at: string,
  cfg: SlackChannelConfig,
): SlackAccountSettings {
  const isDefault = accountId === "default";
  const botToken = token(src, {
    at: `${at}.botToken`,
    env: isDefault ? "SLACK_BOT_TOKEN" : undefined,
    prefix: "xoxb-",
  });
  const mode = cfg.mode ?? "socket";
  const base = {
    accountId,
    configPath: at,
    access: accessSettings(cfg),
    botToken,
    mode,
    apiUrl: (cfg.slackApiUrl ?? SLACK_API_URL).replace(/\/*$/, "/"),
    textLimit: Math.min(cfg.textChunkLimit ?? SLACK_CHUNK_DEFAULT, SLACK_TEXT_MAX),
  };
  if (mode === "socket")
    return {
      ...base,
      appToken: token(src, { at: `${at}.appToken`, env: isDefault ? "SLACK_APP_TOKEN" : undefined, prefix: "xapp-" }),
    };
  const signingSecret = src.secrets.get(`${at}.signingSecret`)?.trim();
  if (!signingSecret)
    throw new HoldfastError(
      "HF_CHANNEL_CONFIG",
      `${at}.signingSecret: required in http mode (Slack signs every Events API request with it; unsigned requests are refused)`,
      { path: `${at}.signingSecret` },
    );
  const path = checkWebhookPath(
    cfg.webhookPath ?? (isDefault ? "/slack/events" : `/slack/events/${accountId}`),
    `${at}.webhookPath`,
  );
  return { ...base, http: { signingSecret, path } };
}

function token(
  src: ChannelSettingsSource,
  { at, env, prefix }: { at: string; env: string | undefined; prefix: string },
): string {
  const value = (src.secrets.get(at) ?? (env ? src.env[env] : undefined))?.trim();
  if (!value)
    throw new HoldfastError(
      "HF_CHANNEL_CONFIG",
      `${at}: no ${prefix === "xoxb-" ? "bot" : "app-level"} token (set ${at}${env ? ` or ${env}` : ""}, or enabled: false)`,
      { path: at },
    );
  if (!value.startsWith(prefix) || /\s/.test(value))
    throw new HoldfastError("HF_CHANNEL_CONFIG", `${at}: the value does not look like a Slack ${prefix}… token`, {
      path: at,
    });
  return value;
}

/**
 * The account's access settings: `channels.slack.channels.<id>` (Slack's group allowlist) folded into
 * the generic `groups` map — ids uppercased like Slack's, `users` read as `allowFrom`, `allow: false`
 * as `enabled: false`.
 */
function accessSettings(cfg: SlackChannelConfig): AccountSettings {
  const fromChannels = Object.entries(cfg.channels ?? {}).map(([id, e]) => [
    id === "*" ? id : id.toUpperCase(),
    groupEntry(e),
  ]);
  const groups = { ...(cfg.groups ?? {}), ...Object.fromEntries(fromChannels) } as Record<string, GroupEntry>;
  return { ...cfg, ...(Object.keys(groups).length > 0 ? { groups } : {}) };
}

function groupEntry(e: SlackChannelEntry): GroupEntry {
  const allowFrom = e.allowFrom ?? e.users;
  const off = e.enabled === false || e.allow === false;
  return {
    ...(e.requireMention !== undefined ? { requireMention: e.requireMention } : {}),
    ...(allowFrom !== undefined ? { allowFrom } : {}),
    ...(off ? { enabled: false } : {}),
    ...(e.tools ? { tools: e.tools } : {}),
    ...(e.toolsBySender ? { toolsBySender: e.toolsBySender } : {}),
    ...(e.systemPrompt !== undefined ? { systemPrompt: e.systemPrompt } : {}),
  };
}
