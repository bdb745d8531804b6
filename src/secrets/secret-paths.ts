import type { HoldfastConfig, SecretInput } from "../config/index.js";

/** One secret-bearing config value and its dotted key path. */
export interface SecretSlot {
  readonly path: string;
  readonly value: SecretInput;
}

const CHANNEL_SECRET_KEYS = ["botToken", "token", "appToken", "signingSecret", "webhookSecret", "password"] as const;

/**
 * Lists every secret-bearing value present in the config: gateway auth token/password, provider
 * apiKeys, channel tokens and webhook secrets (channel and account level), web search key, hooks token, the Gmail API credentials.
 */
export function listSecretSlots(config: HoldfastConfig): SecretSlot[] {
  const out: SecretSlot[] = [];
  const push = (path: string, value: SecretInput | undefined) => {
    if (value !== undefined) out.push({ path, value });
  };
  push("gateway.auth.token", config.gateway?.auth?.token);
  push("gateway.auth.password", config.gateway?.auth?.password);
  for (const [id, p] of Object.entries(config.models?.providers ?? {})) push(`models.providers.${id}.apiKey`, p.apiKey);
  for (const [ch, block] of Object.entries(config.channels ?? {})) {
    if (!block || typeof block !== "object") continue;
    const holders: [string, Record<string, unknown>][] = [[`channels.${ch}`, block as Record<string, unknown>]];
    const accounts = (block as { accounts?: Record<string, Record<string, unknown>> }).accounts ?? {};
    for (const [acct, a] of Object.entries(accounts)) holders.push([`channels.${ch}.accounts.${acct}`, a]);
    for (const [at, holder] of holders) {
      for (const key of CHANNEL_SECRET_KEYS) push(`${at}.${key}`, holder[key] as SecretInput | undefined);
    }
  }
  push("tools.web.search.apiKey", config.tools?.web?.search?.apiKey);
  push("hooks.token", config.hooks?.token);
  push("hooks.gmail.accessToken", config.hooks?.gmail?.accessToken);
  push("hooks.gmail.oauth.clientSecret", config.hooks?.gmail?.oauth?.clientSecret);
  push("hooks.gmail.oauth.refreshToken", config.hooks?.gmail?.oauth?.refreshToken);
  push("storage.encryption.key", config.storage?.encryption?.key);
  return out;
}

/**
 * Environment variables holdfast reads credentials from: gateway auth, the built-in providers' keys,
 * the Telegram bot token and the web search keys. Their values are secrets like configured ones
 * (masked in logs, kept from the model and from outbound text).
 */
export const CREDENTIAL_ENV_VARS: readonly string[] = [
  "HOLDFAST_GATEWAY_TOKEN",
  "HOLDFAST_GATEWAY_PASSWORD",
  "ANTHROPIC_API_KEY",
  "OPENAI_API_KEY",
  "OPENROUTER_API_KEY",
  "TELEGRAM_BOT_TOKEN",
  "BRAVE_API_KEY",
  "TAVILY_API_KEY",
];
