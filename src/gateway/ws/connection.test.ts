import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { z } from "zod";
import { GatewayClient } from "../../client/index.js";
import { createLogger } from "../../logging/index.js";
import { ExposureAuthenticator } from "../auth/gateway-authenticator.js";
import { AuthRateLimiter, DEFAULT_RATE_LIMIT } from "../auth/rate-limit.js";
import { Broadcaster } from "../broadcaster.js";
import { defineMethod, MethodRegistry } from "../methods/registry.js";
import { TICK_INTERVAL_MS } from "../protocol/frames.js";
import { GatewayServer } from "../server.js";

const TOKEN = "connection-test-token-0123456789";

describe("method scopes and the per-connection flood guard (in-process gateway)", () => {
  let server: GatewayServer;
  let url: string;

  beforeAll(async () => {
    const methods = new MethodRegistry();
    const ok = () => ({ ok: true });
    methods.register(
      defineMethod({ name: "config.get", scope: "operator.read", params: z.looseObject({}), handler: ok }),
      defineMethod({ name: "pairing.thing", scope: "operator.pairing", params: z.looseObject({}), handler: ok }),
      defineMethod({ name: "read.thing", scope: "operator.read", params: z.looseObject({}), handler: ok }),
    );
    const authenticator = new ExposureAuthenticator({
      settings: () => ({ mode: "token", token: TOKEN, isTrustedProxy: () => false, allowTailscale: false }),
      limiter: new AuthRateLimiter(DEFAULT_RATE_LIMIT, Date.now),
      exemptLoopback: true,
      sleep: async () => undefined,
    });
    server = new GatewayServer({
      hosts: ["127.0.0.1"],
      port: 0,
      authenticator,
      methods,
      broadcaster: new Broadcaster(),
      log: createLogger({ level: "silent", consoleLevel: "silent" }),
      now: Date.now,
      hello: () => ({}),
      status: () => ({}),
    });
    url = `ws://127.0.0.1:${(await server.start()).port}`;
  });

  afterAll(() => server.stop());

  it("requires operator.admin for config.* whatever scope the method declares", async () => {
    const reader = await GatewayClient.connect({ url, token: TOKEN, scopes: ["operator.read", "operator.write"] });
    await expect(reader.request("config.get")).rejects.toMatchObject({
      wireCode: "FORBIDDEN",
      message: "missing scope: operator.admin",
      wireDetails: { code: "MISSING_SCOPE", missingScope: "operator.admin" },
    });
    await expect(reader.request("pairing.thing")).rejects.toMatchObject({
      wireCode: "FORBIDDEN",
      message: "missing scope: operator.pairing",
    });
    expect(await reader.request("read.thing")).toEqual({ ok: true });
    reader.close();
    const admin = await GatewayClient.connect({ url, token: TOKEN, scopes: ["operator.admin"] });
    expect(await admin.request("config.get")).toEqual({ ok: true });
    expect(await admin.request("pairing.thing")).toEqual({ ok: true });
    admin.close();
  });

  it("sends a tick event every policy.tickIntervalMs after the handshake", async () => {
    vi.useFakeTimers({ toFake: ["setInterval", "clearInterval"] });
    try {
      const client = await GatewayClient.connect({ url, token: TOKEN });
      const ticks: { ts: number }[] = [];
      client.on("event", (name: string, p: { ts: number }) => name === "tick" && ticks.push(p));
      vi.advanceTimersByTime(TICK_INTERVAL_MS * 2);
      await vi.waitFor(() => expect(ticks).toHaveLength(2));
      expect(typeof ticks[0]?.ts).toBe("number");
      client.close();
    } finally {
      vi.useRealTimers();
    }
  });

  it("closes a connection after more than 10 unauthorized method errors", async () => {
    const client = await GatewayClient.connect({ url, token: TOKEN, scopes: ["operator.read"] });
    const closed = new Promise<number>((resolve) => client.once("close", (code: number) => resolve(code)));
    for (let i = 0; i < 10; i++)
      await expect(client.request("config.get")).rejects.toMatchObject({ wireCode: "FORBIDDEN" });
    expect(await client.request("read.thing")).toEqual({ ok: true });
    await expect(client.request("config.get")).rejects.toMatchObject({ wireCode: "FORBIDDEN" });
    expect(await closed).toBe(1008);
  });
});
