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

/** `openclaw gateway call <method> --json` in remote mode against `url` (pinned with `tlsFingerprint` for wss). */
async function remoteCall(label: string, remote: { url: string; token: string; tlsFingerprint?: string }, m: string) {
  const home = await makeClientHome(label);
  await home.writeConfig({ gateway: { mode: "remote", remote } });
  return openclaw(compatClients(), home, ["gateway", "call", m, "--json"]);
}

describe("a LAN gateway (TLS) configured only through the reference's environment variables", () => {
  const token = randomBytes(24).toString("hex");
  let mock: MockModelServer;
  let gw: GatewayProcess;
  let stateDir: string;
  let fingerprint: string;
  let remoteNode: ClientProcess | undefined;
  const env = { OPENCLAW_GATEWAY_TOKEN: token };

  beforeAll(async () => {
    await assertIsolatedNetwork();
    mock = await startMockModelServer();
    stateDir = await makeStateDir({ ...mockModelConfig(mock.url), gateway: { bind: "lan", tls: { enabled: true } } });
    // OPENCLAW_* only: no HOLDFAST_GATEWAY_TOKEN, and the HOLDFAST_DISABLE_BONJOUR default of the test env unset.
    gw = await spawnGateway(stateDir, {
      env: { ...env, OPENCLAW_DISABLE_BONJOUR: "1", HOLDFAST_DISABLE_BONJOUR: "" },
      timeoutMs: 30_000,
    });
    fingerprint = /fingerprint: ([0-9A-F:]{95})/.exec(gw.stdout.join(""))?.[1] ?? "";
    expect(fingerprint).not.toBe("");
  });

  afterAll(async () => {
    await remoteNode?.stop();
    await gw?.stop();
    await mock?.close();
  });

  it("starts on the LAN with OPENCLAW_GATEWAY_TOKEN, does not advertise with OPENCLAW_DISABLE_BONJOUR=1, and refuses a wrong token", async () => {
    const url = `wss://${LAN}:${gw.port}`;
    const status = await remoteCall("lan-status", { url, token, tlsFingerprint: fingerprint }, "status");
    expect(status.code, status.stderr).toBe(0);
    expect(JSON.parse(status.stdout)).toMatchObject({ gateway: { bind: "lan" }, discovery: { mdns: "off" } });
    const bad = await remoteCall("lan-bad", { url, token: "x".repeat(48), tlsFingerprint: fingerprint }, "health");
    expect(bad.code).not.toBe(0);
    expect(bad.stdout + bad.stderr).toMatch(/gateway token mismatch/);
  });

  it(
    "a node host on the LAN waits for pairing and can invoke nothing until an operator approves it",
    { timeout: 240_000 },
    async () => {
      const home = await makeClientHome("lan-node");
      const nodeArgs = [
        "node",
        "run",
        ...["--host", LAN, "--port", String(gw.port), "--tls", "--tls-fingerprint", fingerprint],
        ...["--display-name", "lan-node"],
      ];
      remoteNode = startOpenclaw(compatClients(), home, nodeArgs, { env });
      await remoteNode.waitFor(/pairing required/, 60_000);
      const nodes = await runCli(stateDir, ["nodes", "list", "--json"], { env });
      expect((JSON.parse(nodes.stdout) as { nodes: unknown[] }).nodes).toEqual([]);
      const devices = await runCli(stateDir, ["devices", "list", "--json"], { env });
      const pending = (
        JSON.parse(devices.stdout) as { pending: { requestId: string; role: string; deviceId: string }[] }
      ).pending;
      expect(pending).toHaveLength(1);
      expect(pending[0]?.role).toBe("node");
      const unpaired = await runCli(stateDir, ["nodes", "run", pending[0]?.deviceId as string, "--", "uname"], { env });
      expect(unpaired.code).not.toBe(0);
      expect(unpaired.stderr).toMatch(/is connected/);
      const approve = await runCli(stateDir, ["devices", "approve", pending[0]?.requestId as string], { env });
      expect(approve.code, approve.stderr).toBe(0);
      // Told to wait and retry while its approval is pending, the node host connects by itself once approved.
      const listed = async () =>
        (
          JSON.parse((await runCli(stateDir, ["nodes", "list", "--json"], { env })).stdout) as {
            nodes: { displayName: string }[];
          }
        ).nodes.map((n) => n.displayName);
      await expect
        .poll(listed, { timeout: 60_000, interval: 1_000 })
        .toEqual(["lan-node"])
        .catch((err: unknown) => {
          throw new Error(`node host: ${remoteNode?.output()}\ngateway: ${gw.stdout.join("").slice(-3000)}`, {
            cause: err,
          });
        });
    },
  );
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
      expect((await remoteCall("alias-mine", { url: gw.url, token: mine }, "health")).code).toBe(0);
      expect((await remoteCall("alias-theirs", { url: gw.url, token: theirs }, "health")).code).not.toBe(0);
    } finally {
      await gw.stop();
    }
  });
});
