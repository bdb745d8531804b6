import { promises as fsp } from "node:fs";
import type { HoldfastConfig, TelegramChannelConfig } from "../../config/index.js";
import { HoldfastError } from "../../errors/index.js";
import { channelAccounts } from "../accounts.js";

/** Telegram's limit for one text message (characters). */
export const TELEGRAM_TEXT_LIMIT = 4096;
/** Default Bot API root. */
export const TELEGRAM_API_ROOT = "https://api.telegram.org";
const ACCOUNT_ONLY_KEYS = ["botToken", "tokenFile", "webhookSecret", "webhookUrl", "webhookPath", "name", "enabled"];
const TOKEN_SHAPE = /^\d{1,20}:[A-Za-z0-9_-]{20,200}$/;
const WEBHOOK_SECRET_SHAPE = /^[A-Za-z0-9_-]{16,256}$/;

/** Everything needed to run one Telegram bot account. */
export interface TelegramAccountSettings {
  readonly accountId: string;
  /** `channels.telegram` or `channels.telegram.accounts.<id>`. */
  readonly configPath: string;
  /** Effective settings (top level overlaid by the account). */
  readonly config: TelegramChannelConfig;
  readonly token: string;
  /** Bot API root without trailing slash (`channels.telegram.apiRoot`, default {@link TELEGRAM_API_ROOT}). */
  readonly apiRoot: string;
  readonly mode: "polling" | "webhook";
  readonly webhook?: { readonly url: string; readonly secret: string; readonly path: string };
  /** Long-poll timeout (s), default 30. */
  readonly pollingTimeoutSec: number;
  /**
   * Bound on each Bot API call (s): `timeoutSeconds`, default the long-poll time + 30 (grammY's own
   * default, 500 s, would let a hung `getUpdates` stall the bot for minutes).
   */
  readonly requestTimeoutSec: number;
  /** Chunk size for replies: `textChunkLimit` capped at 4096. */
  readonly textLimit: number;
}

/** Where secrets and the environment come from. */
export interface TelegramSettingsSource {
  readonly config: HoldfastConfig;
  readonly secrets: { get(path: string): string | undefined };
  readonly env: NodeJS.ProcessEnv;
}

/**
 * Resolves the Telegram accounts to run. Bot token: `botToken` (plain, `${ENV}` or SecretRef, already
 * resolved into the secrets snapshot), else `tokenFile` (must not be readable by group/others), else —
 * default account only — `TELEGRAM_BOT_TOKEN`. Webhook mode needs `webhookUrl` and a `webhookSecret`
 * of 16–256 characters `[A-Za-z0-9_-]` (fail closed: no unauthenticated webhook).
 * @throws HoldfastError HF_CHANNEL_CONFIG naming the key path (never a secret value).
 */
export async function resolveTelegramAccounts(src: TelegramSettingsSource): Promise<TelegramAccountSettings[]> {
  const block = src.config.channels?.telegram;
  const accounts = channelAccounts<TelegramChannelConfig>(
    "telegram",
    block,
    ACCOUNT_ONLY_KEYS,
    (b) => b.botToken !== undefined || b.tokenFile !== undefined,
  );
  const out: TelegramAccountSettings[] = [];
  for (const a of accounts) {
    const token = await resolveToken(src, a.accountId, a.configPath, a.config);
    const mode = a.config.mode ?? "polling";
    const apiRoot = (a.config.apiRoot ?? TELEGRAM_API_ROOT).replace(/\/+$/, "");
    const webhook = mode === "webhook" ? webhookSettings(src, a.accountId, a.configPath, a.config) : undefined;
    const pollingTimeoutSec = a.config.pollingTimeoutSec ?? 30;
    const requestTimeoutSec = a.config.timeoutSeconds ?? pollingTimeoutSec + 30;
    if (mode === "polling" && requestTimeoutSec <= pollingTimeoutSec)
      throw new HoldfastError(
        "HF_CHANNEL_CONFIG",
        `${a.configPath}.timeoutSeconds: ${requestTimeoutSec} s must exceed pollingTimeoutSec (${pollingTimeoutSec} s), or every long poll times out`,
        { path: `${a.configPath}.timeoutSeconds` },
      );
    out.push({
      accountId: a.accountId,
      configPath: a.configPath,
      config: a.config,
      token,
      apiRoot,
      mode,
      ...(webhook ? { webhook } : {}),
      pollingTimeoutSec,
      requestTimeoutSec,
      textLimit: Math.min(a.config.textChunkLimit ?? TELEGRAM_TEXT_LIMIT, TELEGRAM_TEXT_LIMIT),
    });
  }
  const paths = new Map<string, string>();
  for (const s of out) {
    if (!s.webhook) continue;
    const other = paths.get(s.webhook.path);
    if (other !== undefined)
      throw new HoldfastError(
        "HF_CHANNEL_CONFIG",
        `${s.configPath}.webhookPath: "${s.webhook.path}" is also used by Telegram account "${other}"`,
      );
    paths.set(s.webhook.path, s.accountId);
  }
  return out;
}

async function resolveToken(
  src: TelegramSettingsSource,
  accountId: string,
  at: string,
  cfg: TelegramChannelConfig,
): Promise<string> {
  let token = src.secrets.get(`${at}.botToken`);
  if (token === undefined && cfg.tokenFile) token = await readTokenFile(cfg.tokenFile, `${at}.tokenFile`);
  if (token === undefined && accountId === "default") token = src.env.TELEGRAM_BOT_TOKEN?.trim() || undefined;
  if (token === undefined) {
    throw new HoldfastError(
      "HF_CHANNEL_CONFIG",
      `${at}.botToken: no bot token for Telegram account "${accountId}" (set ${at}.botToken${accountId === "default" ? " or TELEGRAM_BOT_TOKEN" : ""}, or ${at}.enabled: false)`,
      { path: `${at}.botToken` },
    );
  }
  if (!TOKEN_SHAPE.test(token.trim()))
    throw new HoldfastError(
      "HF_CHANNEL_CONFIG",
      `${at}.botToken: the value does not look like a Telegram bot token (<bot id>:<secret>)`,
      { path: `${at}.botToken` },
    );
  return token.trim();
}

async function readTokenFile(file: string, at: string): Promise<string> {
  const st = await fsp.stat(file).catch(() => undefined);
  if (!st?.isFile())
    throw new HoldfastError("HF_CHANNEL_CONFIG", `${at}: ${file} is not a readable file`, { path: at });
  if ((st.mode & 0o077) !== 0)
    throw new HoldfastError(
      "HF_SECRET_INSECURE_FILE",
      `${at}: ${file} is readable or writable by others; chmod 600 it`,
      { path: at },
    );
  return (await fsp.readFile(file, "utf8")).trim();
}

function webhookSettings(
  src: TelegramSettingsSource,
  accountId: string,
  at: string,
  cfg: TelegramChannelConfig,
): { url: string; secret: string; path: string } {
  const secret = src.secrets.get(`${at}.webhookSecret`);
  if (secret === undefined)
    throw new HoldfastError(
      "HF_CHANNEL_CONFIG",
      `${at}.webhookSecret: required in webhook mode (Telegram sends it in X-Telegram-Bot-Api-Secret-Token; updates without it are refused)`,
      { path: `${at}.webhookSecret` },
    );
  if (!WEBHOOK_SECRET_SHAPE.test(secret))
    throw new HoldfastError("HF_CHANNEL_CONFIG", `${at}.webhookSecret: must be 16-256 characters of A-Z a-z 0-9 _ -`, {
      path: `${at}.webhookSecret`,
    });
  if (!cfg.webhookUrl)
    throw new HoldfastError(
      "HF_CHANNEL_CONFIG",
      `${at}.webhookUrl: required in webhook mode (the public https URL Telegram posts updates to)`,
      { path: `${at}.webhookUrl` },
    );
  const path = cfg.webhookPath ?? (accountId === "default" ? "/telegram-webhook" : `/telegram-webhook/${accountId}`);
  if (path === "/" || path === "/health" || path.startsWith("/api/") || !/^\/[A-Za-z0-9/_-]{1,200}$/.test(path)) {
    throw new HoldfastError(
      "HF_CHANNEL_CONFIG",
      `${at}.webhookPath: "${path}" is not usable (letters, digits, / _ -; not /, /health or /api/...)`,
      { path: `${at}.webhookPath` },
    );
  }
  return { url: cfg.webhookUrl, secret, path };
}
