import { access, mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { GatewayClient } from "../../src/client/index.js";
import { generateDeviceIdentity } from "../../src/devices/index.js";
import { makeStateDir, runCli, spawnGateway } from "../support/gateway-process.js";

const TOKEN = "incident-e2e-token-0123456789abcdef";
const BOT_TOKEN = "123456:telegram-bot-token-secret-value";
const API_KEY = "sk-provider-key-secret-value-0123456789";
const readConfig = async (dir: string) =>
  JSON.parse(await readFile(path.join(dir, "holdfast.json"), "utf8")) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

describe("incident response commands (real processes)", () => {
  it("gateway stop ends the running gateway through its PID file", async () => {
    const stateDir = await makeStateDir({});
    const gw = await spawnGateway(stateDir);
    const res = await runCli(stateDir, ["gateway", "stop"]);
    expect(res).toMatchObject({ code: 0, stdout: expect.stringContaining(`Stopped the gateway (pid ${gw.proc.pid}`) });
    expect(await gw.exited).toBe(0);
    await expect(access(path.join(stateDir, "gateway.pid"))).rejects.toThrow();
    expect((await runCli(stateDir, ["gateway", "stop"])).stdout).toContain("No gateway is running.");
  });

  it("status --all --json reports exposure, channels, policies and counts without any secret", async () => {
    const stateDir = await makeStateDir({
      gateway: { auth: { mode: "token", token: TOKEN } },
      channels: { telegram: { botToken: BOT_TOKEN, dmPolicy: "allowlist", allowFrom: ["42"] } },
      models: { providers: { openai: { apiKey: API_KEY } } },
      tools: { elevated: { enabled: true, allowFrom: { telegram: ["42"] } } },
    });
    const gw = await spawnGateway(stateDir);
    try {
      const res = await runCli(stateDir, ["status", "--all", "--json"]);
      expect(res.code).toBe(0);
      for (const secret of [TOKEN, BOT_TOKEN, API_KEY]) expect(res.stdout + res.stderr).not.toContain(secret);
      const doc = JSON.parse(res.stdout);
      expect(doc).toMatchObject({
        gateway: {
          running: { pid: gw.proc.pid, port: gw.port },
          bind: "loopback",
          auth: { mode: "token", token: "gateway.auth.token" },
          startupCheck: { ok: true },
        },
        channels: { telegram: { dmPolicy: "allowlist", allowFrom: 1, credentials: ["botToken"] } },
        policies: { tools: { elevated: { enabled: true } } },
        sessions: { total: 0 },
        devices: { paired: 0, pending: 0 },
      });
    } finally {
      await gw.stop();
    }
  });

  it("channels logout drops the channel's config token and stored credentials, keeping its policy", async () => {
    const stateDir = await makeStateDir({
      channels: { telegram: { botToken: BOT_TOKEN, dmPolicy: "pairing" }, discord: { token: "discord-token-kept" } },
    });
    await mkdir(path.join(stateDir, "credentials", "telegram"), { recursive: true, mode: 0o700 });
    await writeFile(path.join(stateDir, "credentials", "telegram", "session.json"), "{}", { mode: 0o600 });
    const res = await runCli(stateDir, ["channels", "logout", "--channel", "telegram"]);
    expect(res.code).toBe(0);
    expect(res.stdout).toContain("channels.telegram.botToken");
    expect(res.stdout).not.toContain(BOT_TOKEN);
    const config = await readConfig(stateDir);
    expect(config.channels).toEqual({ telegram: { dmPolicy: "pairing" }, discord: { token: "discord-token-kept" } });
    await expect(access(path.join(stateDir, "credentials", "telegram"))).rejects.toThrow();
    expect((await runCli(stateDir, ["channels", "logout", "--channel", "myspace"])).code).toBe(2);
  });

  it("lockdown rebinds loopback, disables DMs and elevated tools, rotates the token, stops the gateway and prints what changed", async () => {
    const stateDir = await makeStateDir({
      gateway: { auth: { mode: "token", token: TOKEN } },
      channels: { telegram: { botToken: BOT_TOKEN, dmPolicy: "open", allowFrom: ["*"] } },
      tools: { elevated: { enabled: true, allowFrom: { telegram: ["42"] } } },
    });
    const gw = await spawnGateway(stateDir);
    const identity = generateDeviceIdentity();
    const device = await GatewayClient.connect({ url: gw.url, token: TOKEN, device: identity });
    device.close();
    const res = await runCli(stateDir, ["lockdown"]);
    expect(res.code).toBe(0);
    for (const line of [
      "gateway.bind: unset → loopback",
      "channels.telegram.dmPolicy: open → disabled",
      "tools.elevated.enabled: true → false",
      "gateway.auth.token (rotated",
      `device ${identity.deviceId} (revoked)`,
      "gateway (stopped",
    ])
      expect(res.stdout).toContain(line);
    expect(await gw.exited).toBe(0);
    const config = await readConfig(stateDir);
    expect(config.gateway).toMatchObject({ bind: "loopback", auth: { mode: "token" } });
    expect(config.gateway.auth.token).toMatch(/^[0-9a-f]{64}$/);
    expect(res.stdout).not.toContain(config.gateway.auth.token);
    expect(config.channels.telegram.dmPolicy).toBe("disabled");
    expect(JSON.parse(await readFile(path.join(stateDir, "devices", "paired.json"), "utf8"))).toEqual({
      version: 1,
      devices: {},
    });

    const restarted = await spawnGateway(stateDir);
    try {
      await expect(GatewayClient.connect({ url: restarted.url, token: TOKEN })).rejects.toMatchObject({
        wireDetails: { code: "AUTH_TOKEN_MISMATCH" },
      });
      const shown = (await runCli(stateDir, ["gateway", "token"])).stdout.trim();
      const client = await GatewayClient.connect({ url: restarted.url, token: shown });
      client.close();
    } finally {
      await restarted.stop();
    }
  });
});
