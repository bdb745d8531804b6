import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { z } from "zod";
import { GatewayClient } from "../../client/index.js";
import { createLogger } from "../../logging/index.js";
import { ExposureAuthenticator } from "../auth/gateway-authenticator.js";
import { AuthRateLimiter, DEFAULT_RATE_LIMIT } from "../auth/rate-limit.js";
import { Broadcaster, type EventSink } from "../broadcaster.js";
import { defineMethod, MethodRegistry } from "../methods/registry.js";
import { TICK_INTERVAL_MS } from "../protocol/frames.js";
import { GatewayServer } from "../server.js";

const TOKEN = "connection-test-token-0123456789";

describe("method scopes and the per-connection flood guard (in-process gateway)", () => {
  let server: GatewayServer;
  let url: string;
  const broadcaster = new Broadcaster();
  const opened: EventSink[] = [];
  const closed: string[] = [];
  broadcaster.watch({ open: (s) => opened.push(s), close: (s) => closed.push(s.connId) });

  beforeAll(async () => {
    const methods = new MethodRegistry();
    const ok = () => ({ ok: true });
    methods.register(
      defineMethod({
        name: "two.step",
        scope: "operator.write",
        params: z.looseObject({}),
        async handler(_p, ctx) {
          ctx.accept({ runId: "r", status: "accepted" });
          await new Promise((r) => setTimeout(r, 20));
          return { runId: "r", status: "ok" };
        },
      }),
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
      broadcaster,
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

  it("answers a two-step method twice on the same request id; expectFinal waits for the second", async () => {
    const client = await GatewayClient.connect({ url, token: TOKEN });
    const interim: unknown[] = [];
    const final = await client.request("two.step", {}, { expectFinal: true, onAccepted: (p) => interim.push(p) });
    expect(interim).toEqual([{ runId: "r", status: "accepted" }]);
    expect(final).toEqual({ runId: "r", status: "ok" });
    client.close();
  });

  it("records the client, caps and commands a connection declared, and tells watchers when it opens and closes", async () => {
    const client = await GatewayClient.connect({
      url,
      token: TOKEN,
      extraConnectParams: () => ({
        client: { id: "openclaw-tui", mode: "ui", displayName: "tui", version: "2026.9.6", platform: "linux" },
        caps: ["tool-events", "tool-events"],
        commands: ["system.run"],
      }),
    });
    const sink = opened.at(-1) as EventSink;
    expect(sink).toMatchObject({
      role: "operator",
      clientId: "openclaw-tui",
      client: { id: "openclaw-tui", mode: "ui", displayName: "tui", version: "2026.9.6", platform: "linux" },
      caps: ["tool-events"],
      commands: [],
    });
    expect(broadcaster.send(sink.connId, "custom", { n: 1 })).toBe(true);
    client.close();
    await vi.waitFor(() => expect(closed).toContain(sink.connId));
    expect(broadcaster.send(sink.connId, "custom", {})).toBe(false);
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
