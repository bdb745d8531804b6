import { randomBytes } from "node:crypto";
import path from "node:path";
import type { BlueBubblesChannelConfig } from "../../config/index.js";
import { resolvePaths } from "../../config/index.js";
import { HoldfastError } from "../../errors/index.js";
import { readFileIfExists, writeFileAtomic } from "../../infra/index.js";
import { channelAccounts } from "../accounts.js";
import type { AccountSettings, ChannelSettingsSource } from "../plugin-types.js";
import { checkServiceUrl } from "../service-url.js";
import { checkDistinctPaths, checkWebhookPath } from "../webhook-path.js";

/** Default chunk size of replies (characters). */
export const BLUEBUBBLES_CHUNK_DEFAULT = 4000;
/** Base of the generated webhook path (`/bluebubbles-webhook/<account>` for extra accounts). */
export const BLUEBUBBLES_WEBHOOK_BASE = "/bluebubbles-webhook";
/** Shortest secret path segment accepted: 22 base64url characters carry 132 bits. */
export const WEBHOOK_SECRET_MIN_CHARS = 22;
const ACCOUNT_ONLY_KEYS = ["serverUrl", "password", "webhookPath", "name", "enabled"];

/** Everything needed to run one BlueBubbles (iMessage) account. */
export interface BlueBubblesAccountSettings {
  readonly accountId: string;
  readonly configPath: string;
  readonly access: AccountSettings;
  /** BlueBubbles server base URL, no trailing slash (https unless loopback). */
  readonly serverUrl: string;
  /** Server password (sent as the `password` query parameter; never logged). */
  readonly password: string;
  /** Webhook on the gateway port: the base and the full path (secret segment included). */
  readonly webhook: { readonly basePath: string; readonly path: string };
  readonly textLimit: number;
}

/**
 * Resolves the BlueBubbles accounts. `serverUrl` (https:// unless loopback) and `password` (plain,
 * `${ENV}` or SecretRef) are required. `webhookPath`, when set, must end in a secret segment of at
 * least {@link WEBHOOK_SECRET_MIN_CHARS} characters `[A-Za-z0-9_-]` (≥ 128 bits); when unset, holdfast
 * generates `<base>/<32 random base64url characters>` once and keeps it in
 * `<stateDir>/credentials/bluebubbles/<account>/webhook-path` (600, written atomically). With
 * `persist: false` (the start check, `pairing approve --notify`) nothing is written: a path not kept
 * yet is generated for this call only.
 * @throws HoldfastError HF_CHANNEL_CONFIG naming the key path (never the password or the secret).
 */
export async function resolveBlueBubblesAccounts(
  src: ChannelSettingsSource,
  { persist = true }: { readonly persist?: boolean } = {},
): Promise<BlueBubblesAccountSettings[]> {
  const accounts = channelAccounts<BlueBubblesChannelConfig>(
    "bluebubbles",
    src.config.channels?.bluebubbles,
    ACCOUNT_ONLY_KEYS,
    (b) => b.serverUrl !== undefined,
  );
  const out: BlueBubblesAccountSettings[] = [];
  for (const { accountId, configPath: at, config } of accounts) {
    if (!config.serverUrl)
      throw new HoldfastError("HF_CHANNEL_CONFIG", `${at}.serverUrl: required (the BlueBubbles server URL)`, {
        path: `${at}.serverUrl`,
      });
    const password = src.secrets.get(`${at}.password`)?.trim();
    if (!password)
      throw new HoldfastError(
        "HF_CHANNEL_CONFIG",
        `${at}.password: required (the BlueBubbles server password; a SecretRef or \${ENV} keeps it out of the config)`,
        { path: `${at}.password` },
      );
    out.push({
      accountId,
      configPath: at,
      access: config,
      serverUrl: checkServiceUrl(config.serverUrl, `${at}.serverUrl`),
      password,
      webhook: await webhookOf(src, { accountId, at, configured: config.webhookPath, persist }),
      textLimit: config.textChunkLimit ?? BLUEBUBBLES_CHUNK_DEFAULT,
    });
  }
  checkDistinctPaths(
    out.map((s) => ({ path: s.webhook.path, at: `${s.configPath}.webhookPath`, accountId: s.accountId })),
  );
  return out;
}

/** The file keeping an account's generated webhook path. */
export function webhookPathFile(env: NodeJS.ProcessEnv, accountId: string): string {
  return path.join(resolvePaths(env).credentialsDir, "bluebubbles", accountId, "webhook-path");
}

async function webhookOf(
  src: ChannelSettingsSource,
  o: { accountId: string; at: string; configured: string | undefined; persist: boolean },
): Promise<{ basePath: string; path: string }> {
  const { accountId, at, configured } = o;
  if (configured !== undefined) {
    const full = checkWebhookPath(configured, `${at}.webhookPath`);
    const cut = full.lastIndexOf("/");
    const secret = full.slice(cut + 1);
    if (cut <= 0 || !isStrongSecret(secret))
      throw new HoldfastError(
        "HF_CHANNEL_CONFIG",
        `${at}.webhookPath: must end in a secret segment of at least ${WEBHOOK_SECRET_MIN_CHARS} random characters [A-Za-z0-9_-] (e.g. /bluebubbles-webhook/<output of openssl rand -base64 24 | tr +/ -_>), or leave it unset to have one generated`,
        { path: `${at}.webhookPath` },
      );
    return { basePath: full.slice(0, cut), path: full };
  }
  const basePath = accountId === "default" ? BLUEBUBBLES_WEBHOOK_BASE : `${BLUEBUBBLES_WEBHOOK_BASE}/${accountId}`;
  const file = webhookPathFile(src.env, accountId);
  const kept = (await readFileIfExists(file))?.trim();
  if (kept && kept.startsWith(`${basePath}/`) && isStrongSecret(kept.slice(basePath.length + 1)))
    return { basePath, path: kept };
  const generated = `${basePath}/${randomBytes(24).toString("base64url")}`;
  if (o.persist) await writeFileAtomic(file, `${generated}\n`);
  return { basePath, path: generated };
}

/** At least {@link WEBHOOK_SECRET_MIN_CHARS} characters of `[A-Za-z0-9_-]`, not a run of a few repeated ones. */
export function isStrongSecret(segment: string): boolean {
  return /^[A-Za-z0-9_-]+$/.test(segment) && segment.length >= WEBHOOK_SECRET_MIN_CHARS && new Set(segment).size >= 10;
}
