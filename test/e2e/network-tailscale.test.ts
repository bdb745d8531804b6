import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GatewayClient } from "../../src/client/index.js";
import { installFakeTailscale, type FakeTailscale } from "../support/fake-tailscale.js";
import { makeStateDir, runCli, spawnGateway, type GatewayProcess } from "../support/gateway-process.js";

const TOKEN = "tailscale-e2e-token-0123456789abcdef";
const served = (login: string, ip: string) => ({
  "tailscale-user-login": login,
  "x-forwarded-for": ip,
  "x-forwarded-proto": "https",
  "x-forwarded-host": "gw.tail1234.ts.net",
});

describe("Tailscale Serve with identity headers (fake tailscale CLI on PATH)", () => {
  let ts: FakeTailscale;
  let gw: GatewayProcess;

  beforeAll(async () => {
    ts = await installFakeTailscale({ "100.64.0.7": "alice@example.com" });
    const stateDir = await makeStateDir({
      gateway: { tailscale: { mode: "serve" }, auth: { mode: "token", allowTailscale: true } },
    });
    gw = await spawnGateway(stateDir, { env: { ...ts.env, HOLDFAST_GATEWAY_TOKEN: TOKEN } });
  });
  afterAll(() => gw?.stop());

  it("routes the tailnet to the loopback gateway with tailscale serve", async () => {
    expect(await ts.calls()).toContainEqual(["serve", "--bg", "--yes", `http://127.0.0.1:${gw.port}`]);
  });

  it("accepts Serve identity headers only after tailscale whois confirms them", async () => {
    const ok = await GatewayClient.connect({
      url: gw.url,
      wsOptions: { headers: served("alice@example.com", "100.64.0.7") },
    });
    expect(ok.hello?.auth).toMatchObject({ method: "tailscale" });
    ok.close();
    await expect(
      GatewayClient.connect({ url: gw.url, wsOptions: { headers: served("mallory@example.com", "100.64.0.7") } }),
    ).rejects.toMatchObject({ wireDetails: { code: "AUTH_TAILSCALE_IDENTITY_MISMATCH" } });
    await expect(
      GatewayClient.connect({ url: gw.url, wsOptions: { headers: served("alice@example.com", "100.64.0.99") } }),
    ).rejects.toMatchObject({ wireDetails: { code: "AUTH_TAILSCALE_IDENTITY_CHECK_FAILED" } });
    expect(await ts.calls()).toContainEqual(["whois", "--json", "100.64.0.7"]);
  });

  it("treats proxied requests as remote: no local trust, and never identity on HTTP", async () => {
    const headers = {
      "x-forwarded-for": "100.64.0.7",
      "x-forwarded-proto": "https",
      "x-forwarded-host": "gw.tail1234.ts.net",
    };
    await expect(GatewayClient.connect({ url: gw.url, wsOptions: { headers } })).rejects.toMatchObject({
      wireDetails: { code: "AUTH_TOKEN_MISSING" },
    });
    const res = await fetch(`${gw.url.replace("ws", "http")}/api/status`, {
      headers: served("alice@example.com", "100.64.0.7"),
    });
    expect(res.status).toBe(401);
  });

  it("releases the route on stop", async () => {
    expect(await gw.stop()).toBe(0);
    expect(await ts.calls()).toContainEqual(["serve", "reset"]);
  });
});

describe("Tailscale Funnel", () => {
  it("starts with password auth and publishes through tailscale funnel", async () => {
    const ts = await installFakeTailscale();
    const stateDir = await makeStateDir({ gateway: { tailscale: { mode: "funnel" }, auth: { mode: "password" } } });
    const gw = await spawnGateway(stateDir, {
      env: { ...ts.env, HOLDFAST_GATEWAY_PASSWORD: "a long funnel password" },
    });
    try {
      expect(await ts.calls()).toContainEqual(["funnel", "--bg", "--yes", `http://127.0.0.1:${gw.port}`]);
    } finally {
      await gw.stop();
    }
    expect(await ts.calls()).toContainEqual(["funnel", "reset"]);
  });

  it("does not start when the tailscale CLI cannot establish the route", async () => {
    const ts = await installFakeTailscale({}, { FAKE_TAILSCALE_FAIL: "serve" });
    const stateDir = await makeStateDir({ gateway: { tailscale: { mode: "serve" } } });
    const res = await runCli(stateDir, ["gateway", "--port", "0"], {
      env: { ...ts.env, HOLDFAST_GATEWAY_TOKEN: TOKEN },
    });
    expect(res.code).toBe(1);
    expect(res.stderr).toContain("cannot start tailscale serve");
  });
});
