import { existsSync } from "node:fs";
import path from "node:path";
import { POLICY_CHANNEL_IDS, type HoldfastConfig, type HoldfastPaths } from "../config/index.js";
import type { SecretResolution } from "../secrets/index.js";
import { cliHint } from "../infra/index.js";

/** Whether one configured channel account has what it needs to connect (never the value). */
export interface ChannelCredentialStatus {
  readonly channel: string;
  readonly path: string;
  readonly present: boolean;
  /** Where the credential comes from, or what to set. */
  readonly note: string;
}

interface Need {
  readonly keys: readonly string[];
  readonly env?: string;
}

/** The secret fields each channel needs (all of `keys`), and the environment fallback. */
const NEEDS: Readonly<Record<string, readonly Need[]>> = {
  telegram: [{ keys: ["botToken"], env: "TELEGRAM_BOT_TOKEN" }],
  discord: [{ keys: ["token"], env: "DISCORD_BOT_TOKEN" }],
  slack: [
    { keys: ["botToken"], env: "SLACK_BOT_TOKEN" },
    { keys: ["appToken"], env: "SLACK_APP_TOKEN" },
  ],
  bluebubbles: [{ keys: ["password"] }, { keys: ["serverUrl"] }],
  signal: [{ keys: ["account"] }],
};

/** Slack in HTTP mode: the bot token and the signing secret (no app-level token). */
const SLACK_HTTP_NEEDS: readonly Need[] = [{ keys: ["botToken"], env: "SLACK_BOT_TOKEN" }, { keys: ["signingSecret"] }];

/**
 * Checks every enabled channel account for its credential: a resolved secret field, the channel's
 * environment variable (channel level only), Telegram's `tokenFile`, or for WhatsApp a linked session
 * in `<credentialsDir>/whatsapp/<account>/creds.json`. Unresolved SecretRefs count as missing.
 */
export function channelCredentials(
  config: HoldfastConfig,
  secrets: SecretResolution,
  env: NodeJS.ProcessEnv,
  paths: HoldfastPaths,
): ChannelCredentialStatus[] {
  const out: ChannelCredentialStatus[] = [];
  for (const ch of POLICY_CHANNEL_IDS) {
    const block = config.channels?.[ch] as
      (Record<string, unknown> & { accounts?: Record<string, Record<string, unknown>> }) | undefined;
    if (!block || block.enabled === false) continue;
    const holders: [string, string, Record<string, unknown>][] = [["default", `channels.${ch}`, block]];
    for (const [id, acct] of Object.entries(block.accounts ?? {}))
      if (acct.enabled !== false) holders.push([id, `channels.${ch}.accounts.${id}`, acct]);
    for (const [account, at, holder] of holders)
      out.push(statusOf({ ch, account, at, holder: { mode: block.mode, ...holder } }, { secrets, env, paths }));
  }
  return out;
}

/** One channel account block: channel id, account id, its config path and the block itself. */
interface Holder {
  readonly ch: string;
  readonly account: string;
  readonly at: string;
  readonly holder: Record<string, unknown>;
}

/** Where a credential may come from besides the block. */
interface Sources {
  readonly secrets: SecretResolution;
  readonly env: NodeJS.ProcessEnv;
  readonly paths: HoldfastPaths;
}

function statusOf({ ch, account, at, holder }: Holder, { secrets, env, paths }: Sources): ChannelCredentialStatus {
  if (ch === "imessage")
    return { channel: ch, path: at, present: true, note: "uses the local Messages database; nothing to store" };
  if (ch === "whatsapp") {
    const creds = path.join(paths.credentialsDir, "whatsapp", account, "creds.json");
    return existsSync(creds)
      ? { channel: ch, path: at, present: true, note: `linked session in ${creds}` }
      : {
          channel: ch,
          path: at,
          present: false,
          note: `no linked session (${creds}); link it with: ${cliHint("channels login --channel whatsapp")}${account === "default" ? "" : ` --account ${account}`}`,
        };
  }
  const missing: string[] = [];
  const sources: string[] = [];
  const needs = ch === "slack" && holder.mode === "http" ? SLACK_HTTP_NEEDS : (NEEDS[ch] ?? []);
  for (const need of needs) {
    const key = need.keys[0] as string;
    if (secrets.snapshot.get(`${at}.${key}`) !== undefined) sources.push(`${at}.${key}`);
    else if (
      typeof holder[key] === "string" &&
      holder[key] !== "" &&
      !secrets.failures.some((f) => f.path === `${at}.${key}`)
    )
      sources.push(`${at}.${key}`);
    else if (ch === "telegram" && typeof holder.tokenFile === "string") sources.push(`${at}.tokenFile`);
    else if (need.env && account === "default" && env[need.env]) sources.push(`$${need.env}`);
    else missing.push(need.env && account === "default" ? `${at}.${key} (or $${need.env})` : `${at}.${key}`);
  }
  return missing.length === 0
    ? { channel: ch, path: at, present: true, note: `from ${sources.join(", ")}` }
    : { channel: ch, path: at, present: false, note: `set ${missing.join(" and ")}` };
}
