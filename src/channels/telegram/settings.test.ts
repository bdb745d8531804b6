import { chmod, mkdtemp, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import type { HoldfastConfig } from "../../config/index.js";
import { resolveTelegramAccounts } from "./settings.js";

const TOKEN = "123456:ABCDEFGHIJKLMNOPQRSTUVWXYZ012345678";
const src = (config: HoldfastConfig, secrets: Record<string, string> = {}, env: NodeJS.ProcessEnv = {}) => ({
  config,
  secrets: { get: (p: string) => secrets[p] },
  env,
});

describe("Telegram account settings", () => {
  it("runs nothing without a channels.telegram block, or when disabled", async () => {
    expect(await resolveTelegramAccounts(src({}, {}, { TELEGRAM_BOT_TOKEN: TOKEN }))).toEqual([]);
    expect(await resolveTelegramAccounts(src({ channels: { telegram: { enabled: false } } }))).toEqual([]);
  });

  it("takes the token from botToken, else TELEGRAM_BOT_TOKEN for the default account", async () => {
    const [a] = await resolveTelegramAccounts(
      src(
        { channels: { telegram: { botToken: TOKEN, apiRoot: "http://127.0.0.1:9/" } } },
        { "channels.telegram.botToken": TOKEN },
      ),
    );
    expect(a).toMatchObject({
      accountId: "default",
      token: TOKEN,
      apiRoot: "http://127.0.0.1:9",
      mode: "polling",
      textLimit: 4096,
    });
    const [b] = await resolveTelegramAccounts(
      src({ channels: { telegram: { dmPolicy: "pairing" } } }, {}, { TELEGRAM_BOT_TOKEN: TOKEN }),
    );
    expect(b?.token).toBe(TOKEN);
    await expect(resolveTelegramAccounts(src({ channels: { telegram: {} } }))).rejects.toMatchObject({
      code: "HF_CHANNEL_CONFIG",
      message: expect.stringContaining("channels.telegram.botToken"),
    });
    await expect(
      resolveTelegramAccounts(
        src({ channels: { telegram: { botToken: "nope" } } }, { "channels.telegram.botToken": "nope" }),
      ),
    ).rejects.toThrow(/does not look like a Telegram bot token/);
  });

  it("bounds every Bot API call: long-poll time + 30 s by default, timeoutSeconds must exceed the long poll", async () => {
    const env = { TELEGRAM_BOT_TOKEN: TOKEN };
    const [a] = await resolveTelegramAccounts(src({ channels: { telegram: { pollingTimeoutSec: 20 } } }, {}, env));
    expect(a).toMatchObject({ pollingTimeoutSec: 20, requestTimeoutSec: 50 });
    const [b] = await resolveTelegramAccounts(src({ channels: { telegram: { timeoutSeconds: 45 } } }, {}, env));
    expect(b).toMatchObject({ pollingTimeoutSec: 30, requestTimeoutSec: 45 });
    await expect(
      resolveTelegramAccounts(src({ channels: { telegram: { timeoutSeconds: 30 } } }, {}, env)),
    ).rejects.toMatchObject({
      code: "HF_CHANNEL_CONFIG",
      message: expect.stringContaining("channels.telegram.timeoutSeconds: 30 s must exceed pollingTimeoutSec (30 s)"),
    });
  });

  it("reads tokenFile only when private", async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), "hf-tok-"));
    const file = path.join(dir, "token");
    await writeFile(file, `${TOKEN}\n`, { mode: 0o600 });
    expect((await resolveTelegramAccounts(src({ channels: { telegram: { tokenFile: file } } })))[0]?.token).toBe(TOKEN);
    await chmod(file, 0o644);
    await expect(resolveTelegramAccounts(src({ channels: { telegram: { tokenFile: file } } }))).rejects.toMatchObject({
      code: "HF_SECRET_INSECURE_FILE",
    });
  });

  it("runs accounts with inherited access settings but their own credentials", async () => {
    const config: HoldfastConfig = {
      channels: {
        telegram: {
          dmPolicy: "allowlist",
          allowFrom: ["1"],
          botToken: TOKEN,
          accounts: { Work: { botToken: TOKEN, allowFrom: ["2"] }, off: { enabled: false } },
        },
      },
    };
    const accounts = await resolveTelegramAccounts(
      src(config, { "channels.telegram.botToken": TOKEN, "channels.telegram.accounts.Work.botToken": TOKEN }),
    );
    expect(accounts.map((a) => [a.accountId, a.config.dmPolicy, a.config.allowFrom])).toEqual([
      ["work", "allowlist", ["2"]],
      ["default", "allowlist", ["1"]],
    ]);
    await expect(resolveTelegramAccounts(src({ channels: { telegram: { accounts: { x: {} } } } }))).rejects.toThrow(
      /channels.telegram.accounts.x.botToken/,
    );
  });

  it("requires a strong webhookSecret and a webhookUrl in webhook mode", async () => {
    const base = { botToken: TOKEN, mode: "webhook" as const };
    const secrets = { "channels.telegram.botToken": TOKEN };
    await expect(
      resolveTelegramAccounts(src({ channels: { telegram: { ...base, webhookUrl: "https://x.example/h" } } }, secrets)),
    ).rejects.toThrow(/channels.telegram.webhookSecret: required in webhook mode/);
    await expect(
      resolveTelegramAccounts(
        src(
          { channels: { telegram: { ...base, webhookUrl: "https://x.example/h" } } },
          { ...secrets, "channels.telegram.webhookSecret": "short" },
        ),
      ),
    ).rejects.toThrow(/16-256 characters/);
    const strong = { ...secrets, "channels.telegram.webhookSecret": "a-strong_secret-1234" };
    await expect(resolveTelegramAccounts(src({ channels: { telegram: base } }, strong))).rejects.toThrow(
      /webhookUrl: required/,
    );
    const [a] = await resolveTelegramAccounts(
      src({ channels: { telegram: { ...base, webhookUrl: "https://x.example/h" } } }, strong),
    );
    expect(a?.webhook).toEqual({
      url: "https://x.example/h",
      secret: "a-strong_secret-1234",
      path: "/telegram-webhook",
    });
    await expect(
      resolveTelegramAccounts(
        src({ channels: { telegram: { ...base, webhookUrl: "https://x.example/h", webhookPath: "/api/x" } } }, strong),
      ),
    ).rejects.toThrow(/webhookPath/);
  });
});
