import { describe, expect, it } from "vitest";
import { validateConfig } from "../../config/index.js";
import { dropChannelCredentials } from "./channels.js";
import { lockdownConfig } from "./lockdown.js";

const NEW_TOKEN = "9".repeat(64);

describe("lockdownConfig", () => {
  it("rebinds loopback, disables DMs, groups and elevated tools, rotates the token, and lists every change without the token", () => {
    const raw = {
      gateway: { bind: "lan", tailscale: { mode: "funnel" }, auth: { mode: "password", password: "${PW}" } },
      channels: {
        telegram: {
          dmPolicy: "open",
          allowFrom: ["*"],
          groupPolicy: "open",
          accounts: { work: { dmPolicy: "pairing" } },
        },
        whatsapp: { dm: { policy: "open" } },
      },
      tools: { elevated: { enabled: true, allowFrom: { telegram: ["1"] } } },
      agents: { list: [{ id: "main", tools: { elevated: { enabled: true } } }] },
    };
    const { config, changes } = lockdownConfig(raw, NEW_TOKEN);
    expect(config).toMatchObject({
      gateway: { bind: "loopback", tailscale: { mode: "off" }, auth: { mode: "token", token: NEW_TOKEN } },
      channels: {
        telegram: { dmPolicy: "disabled", groupPolicy: "disabled", accounts: { work: { dmPolicy: "disabled" } } },
        whatsapp: { dmPolicy: "disabled", dm: { policy: "disabled" } },
      },
      tools: { elevated: { enabled: false } },
      agents: { list: [{ tools: { elevated: { enabled: false } } }] },
    });
    expect(changes.map((c) => c.what)).toEqual(
      expect.arrayContaining([
        "gateway.bind",
        "gateway.tailscale.mode",
        "gateway.auth.mode",
        "gateway.auth.token",
        "channels.telegram.dmPolicy",
        "channels.telegram.accounts.work.dmPolicy",
        "channels.whatsapp.dm.policy",
        "tools.elevated.enabled",
        "agents.list.0.tools.elevated.enabled",
      ]),
    );
    expect(JSON.stringify(changes)).not.toContain(NEW_TOKEN);
    expect(raw.gateway.bind).toBe("lan");
    expect(() =>
      validateConfig({
        ...config,
        gateway: { ...(config.gateway as object), auth: { mode: "token", token: NEW_TOKEN, password: "x" } },
      }),
    ).not.toThrow();
  });

  it("disables webhooks and rotates the hooks token (a SecretRef one too), never reporting either value", () => {
    const HOOKS_TOKEN = "7".repeat(64);
    const raw = {
      hooks: { enabled: true, token: { source: "env", provider: "default", id: "HOOKS" }, path: "/hooks" },
    };
    const { config, changes } = lockdownConfig(raw, NEW_TOKEN, HOOKS_TOKEN);
    expect(config.hooks).toEqual({ enabled: false, token: HOOKS_TOKEN, path: "/hooks" });
    expect(changes.map((c) => c.what)).toEqual(expect.arrayContaining(["hooks.enabled", "hooks.token"]));
    expect(JSON.stringify(changes)).not.toContain(HOOKS_TOKEN);
    expect(lockdownConfig({}, NEW_TOKEN).config.hooks).toBeUndefined();
  });

  it("changes nothing but the token on an already locked-down config", () => {
    const first = lockdownConfig({ channels: { telegram: { botToken: "x" } } }, NEW_TOKEN).config;
    expect(lockdownConfig(first, "8".repeat(64)).changes.map((c) => c.what)).toEqual(["gateway.auth.token"]);
  });
});

describe("dropChannelCredentials", () => {
  it("removes the channel's and its accounts' token keys, keeps policies, and never reports values", () => {
    const raw = {
      channels: {
        telegram: {
          botToken: "123:SECRET",
          webhookSecret: "${HOOK}",
          dmPolicy: "pairing",
          accounts: { a: { botToken: "456:SECRET" } },
        },
        discord: { token: "keep" },
      },
    };
    const { config, changes } = dropChannelCredentials(raw, "telegram", undefined);
    expect(config).toEqual({
      channels: { telegram: { dmPolicy: "pairing", accounts: { a: {} } }, discord: { token: "keep" } },
    });
    expect(changes.map((c) => c.what)).toEqual([
      "channels.telegram.botToken",
      "channels.telegram.webhookSecret",
      "channels.telegram.accounts.a.botToken",
    ]);
    expect(JSON.stringify(changes)).not.toContain("SECRET");
    expect(dropChannelCredentials(raw, "telegram", "a").changes.map((c) => c.what)).toEqual([
      "channels.telegram.accounts.a.botToken",
    ]);
  });
});
