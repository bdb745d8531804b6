import { mkdtempSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { thrownCode } from "../../test/support/errors.js";
import { GatewayClient } from "../client/index.js";
import { resolvePaths } from "../config/index.js";
import { HoldfastError } from "../errors/index.js";
import { silentLogger } from "../logging/index.js";
import { SecretsRuntime, SecretsSnapshot } from "../secrets/index.js";
import { createExposure } from "./exposure-stage.js";
import { GatewayHub } from "./hub.js";
import { defineMethod } from "./methods/registry.js";
import { createGatewayStage } from "./stage.js";

const TOKEN = "stage-test-token-0123456789abcdef0123";
const SECRET = "echoed-secret-value-0123456789";

async function gateway() {
  const stateDir = mkdtempSync(path.join(os.tmpdir(), "holdfast-gw-stage-"));
  const ctx = {
    config: { gateway: { auth: { token: TOKEN } } },
    env: {},
    secrets: new SecretsRuntime(new SecretsSnapshot(new Map([["gateway.auth.token", TOKEN]]))),
    paths: resolvePaths({ HOLDFAST_STATE_DIR: stateDir }),
    clock: { now: () => Date.now(), sleep: async () => undefined },
    log: silentLogger(),
    say: () => undefined,
  };
  const hub = new GatewayHub();
  hub.status.add("agents", () => ["main"]);
  let degraded: { component: string; code: string; message: string; sinceMs: number }[] = [];
  hub.health.add("test", () => degraded);
  hub.methods.register(
    defineMethod({
      name: "test.fail",
      scope: "operator.read",
      params: z.looseObject({}),
      handler: () => {
        throw new HoldfastError("HF_NOT_FOUND", `nothing under ${SECRET}`);
      },
    }),
  );
  const stage = createGatewayStage({
    hub,
    exposure: await createExposure(ctx, { port: 0 }),
    clock: ctx.clock,
    log: ctx.log,
    version: "0.0.0-test",
    redact: (t) => t.replaceAll(SECRET, "[masked]"),
    agentIds: () => ["main"],
  });
  return { hub, stage, degrade: (d: typeof degraded) => (degraded = d) };
}

describe("gateway stage", () => {
  it("seals the hub at start, reports the bound port and registered facts in order, and redacts errors", async () => {
    const { hub, stage } = await gateway();
    expect(stage.server.port).toBe(0);
    const { port } = await stage.start();
    try {
      expect(stage.server.port).toBe(port);
      expect(thrownCode(() => hub.status.add("late", () => 1))).toBe("HF_STAGE_STARTED");
      const client = await GatewayClient.connect({ url: `ws://127.0.0.1:${port}`, token: TOKEN });
      const status = (await client.request("status", {})) as Record<string, unknown>;
      const failed = await client.request("test.fail", {}).catch((err: unknown) => err);
      client.close();
      expect(String(failed)).toContain("nothing under [masked]");
      expect(String(failed)).not.toContain(SECRET);
      expect(Object.keys(status)).toEqual(["version", "uptimeMs", "gateway", "agents", "connections", "handshakes"]);
      expect(status.handshakes).toMatchObject({ pending: 0, refused: 0, maxPendingPerIp: 32 });
      expect(thrownCode(() => hub.health.add("late", () => []))).toBe("HF_STAGE_STARTED");
      expect(status).toMatchObject({ version: "0.0.0-test", gateway: { port, bind: "loopback" }, agents: ["main"] });
    } finally {
      await stage.server.stop();
    }
  });

  it("says only ok:false on GET /health while degraded (HTTP 200), the details to authenticated callers", async () => {
    const { stage, degrade } = await gateway();
    const { port } = await stage.start();
    const health = async () => {
      const res = await fetch(`http://127.0.0.1:${port}/health`);
      return { status: res.status, body: (await res.json()) as unknown };
    };
    const client = await GatewayClient.connect({ url: `ws://127.0.0.1:${port}`, token: TOKEN });
    try {
      expect(await health()).toEqual({ status: 200, body: { ok: true } });
      expect(await client.request("health", {})).toMatchObject({ ok: true });
      const d = { component: "store:state-db", code: "HF_STATE_DISK_FULL", message: "disk full", sinceMs: 7 };
      degrade([d]);
      expect(await health()).toEqual({ status: 200, body: { ok: false } });
      expect(await client.request("health", {})).toMatchObject({ ok: false, degraded: [d] });
      degrade([]);
      expect(await health()).toEqual({ status: 200, body: { ok: true } });
    } finally {
      client.close();
      await stage.server.stop();
    }
  });
});
