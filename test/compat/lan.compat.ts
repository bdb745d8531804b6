import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  runCli,
  spawnGateway,
  makeStateDir,
  mockModelConfig,
  type GatewayProcess,
} from "../support/gateway-process.js";
import { startMockModelServer, type MockModelServer } from "../support/mock-model-server.js";
import {
  assertIsolatedNetwork,
  compatClients,
  makeClientHome,
  openclaw,
  startOpenclaw,
  type ClientProcess,
} from "./support/clients.js";

/** The namespace's "LAN" address (scripts/compat.mjs). */
const LAN = process.env.HOLDFAST_COMPAT_LAN_ADDRESS ?? "198.18.7.1";

describe("a LAN gateway configured only through the reference's environment variables", () => {
  const token = randomBytes(24).toString("hex");
  let mock: MockModelServer;
  let gw: GatewayProcess;
  let stateDir: string;
  let remoteNode: ClientProcess | undefined;

  beforeAll(async () => {
    await assertIsolatedNetwork();
    mock = await startMockModelServer();
    stateDir = await makeStateDir({ ...mockModelConfig(mock.url), gateway: { bind: "lan" } });
    // OPENCLAW_* only: no HOLDFAST_GATEWAY_TOKEN, and the HOLDFAST_DISABLE_BONJOUR default of the test env unset.
    gw = await spawnGateway(stateDir, {
      env: { OPENCLAW_GATEWAY_TOKEN: token, OPENCLAW_DISABLE_BONJOUR: "1", HOLDFAST_DISABLE_BONJOUR: "" },
      timeoutMs: 30_000,
    });
  });

  afterAll(async () => {
    await remoteNode?.stop();
    await gw?.stop();
    await mock?.close();
  });

  it("starts on the LAN with OPENCLAW_GATEWAY_TOKEN and does not advertise with OPENCLAW_DISABLE_BONJOUR=1", async () => {
    const status = await runCli(stateDir, ["status", "--json"], { env: { OPENCLAW_GATEWAY_TOKEN: token } });
    expect(status.code, status.stderr).toBe(0);
    expect(JSON.parse(status.stdout)).toMatchObject({ discovery: { mdns: "off" } });
  });

  it("the openclaw CLI reaches it over the LAN address with that token", async () => {
    const home = await makeClientHome("lan-cli");
    const url = `ws://${LAN}:${gw.port}`;
    const ok = await openclaw(compatClients(), home, [
      "gateway",
      "call",
      "health",
      "--json",
      "--url",
      url,
      "--token",
      token,
    ]);
    expect(ok.code, ok.stderr).toBe(0);
    const bad = await openclaw(compatClients(), home, [
      "gateway",
      "call",
      "health",
      "--url",
      url,
      "--token",
      "x".repeat(48),
    ]);
    expect(bad.code).not.toBe(0);
    expect(bad.stdout + bad.stderr).toMatch(/gateway token mismatch/);
  });

  it("a node host on the LAN waits for pairing and can invoke nothing until an operator approves it", async () => {
    const home = await makeClientHome("lan-node");
    remoteNode = startOpenclaw(
      compatClients(),
      home,
      ["node", "run", "--host", LAN, "--port", String(gw.port), "--display-name", "lan-node"],
      { env: { OPENCLAW_GATEWAY_TOKEN: token } },
    );
    await remoteNode.waitFor(/pairing required/, 60_000);
    const nodes = await runCli(stateDir, ["nodes", "list", "--json"], { env: { OPENCLAW_GATEWAY_TOKEN: token } });
    expect((JSON.parse(nodes.stdout) as { nodes: unknown[] }).nodes).toEqual([]);
    const devices = await runCli(stateDir, ["devices", "list", "--json"], { env: { OPENCLAW_GATEWAY_TOKEN: token } });
    const pending = (JSON.parse(devices.stdout) as { pending: { requestId: string; role: string }[] }).pending;
    expect(pending).toHaveLength(1);
    expect(pending[0]?.role).toBe("node");
    const approve = await runCli(stateDir, ["devices", "approve", pending[0]?.requestId as string], {
      env: { OPENCLAW_GATEWAY_TOKEN: token },
    });
    expect(approve.code, approve.stderr).toBe(0);
    await expect
      .poll(
        async () =>
          (
            JSON.parse(
              (await runCli(stateDir, ["nodes", "list", "--json"], { env: { OPENCLAW_GATEWAY_TOKEN: token } })).stdout,
            ) as { nodes: { displayName: string }[] }
          ).nodes.map((n) => n.displayName),
        { timeout: 60_000, interval: 1_000 },
      )
      .toEqual(["lan-node"]);
  });
});

describe("HOLDFAST_* wins over the OPENCLAW_* alias", () => {
  it("uses HOLDFAST_GATEWAY_TOKEN when both are set", async () => {
    await assertIsolatedNetwork();
    const mine = randomBytes(24).toString("hex");
    const theirs = randomBytes(24).toString("hex");
    const stateDir = await makeStateDir();
    const gw = await spawnGateway(stateDir, {
      env: { HOLDFAST_GATEWAY_TOKEN: mine, OPENCLAW_GATEWAY_TOKEN: theirs },
      timeoutMs: 30_000,
    });
    try {
      const home = await makeClientHome("alias");
      const call = (t: string) =>
        openclaw(compatClients(), home, ["gateway", "call", "health", "--json", "--url", gw.url, "--token", t]);
      expect((await call(mine)).code).toBe(0);
      expect((await call(theirs)).code).not.toBe(0);
    } finally {
      await gw.stop();
    }
  });
});
