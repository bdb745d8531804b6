import { mkdtemp, stat, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import WebSocket from "ws";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GatewayClient } from "../../src/client/index.js";
import { generateDeviceIdentity, signConnect, type DeviceIdentity } from "../../src/devices/index.js";
import type { ConnectParams } from "../../src/gateway/index.js";
import { makeStateDir, runCli, spawnGateway, type GatewayProcess } from "../support/gateway-process.js";
import { canUseNetns, createNetns, PLAINTEXT_LAN, type NetNs } from "../support/netns.js";

const TOKEN = "Dv3nQ8wK1zR6tY9mB2xL5pH7cF0gJ4sA";
type Result = {
  ok: boolean;
  code?: string;
  details?: { code?: string; requestId?: string };
  auth?: { method?: string; deviceToken?: string; scopes?: string[] };
};
const NETNS = await canUseNetns();
const mode = async (p: string) => (await stat(p)).mode & 0o777;

async function identityFile(dir: string, id: DeviceIdentity): Promise<string> {
  const file = path.join(dir, `${id.deviceId.slice(0, 8)}.json`);
  await writeFile(file, JSON.stringify(id), { mode: 0o600 });
  return file;
}

/** One raw handshake: waits for the challenge, sends `connect` built from the nonce, returns the response frame. */
function rawConnect(
  url: string,
  build: (nonce: string) => ConnectParams,
): Promise<{ ok: boolean; error?: { code: string; message: string; details?: { code?: string } } }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    ws.on("message", (d) => {
      const f = JSON.parse(d.toString()) as { type: string; event?: string; payload?: { nonce: string } };
      if (f.type === "event" && f.event === "connect.challenge")
        ws.send(
          JSON.stringify({ type: "req", id: "c1", method: "connect", params: build(f.payload?.nonce as string) }),
        );
      else if (f.type === "res") {
        resolve(f as never);
        ws.close();
      }
    });
    ws.on("error", reject);
  });
}

describe("device pairing end to end with real Ed25519 clients", () => {
  let gw: GatewayProcess;
  let stateDir: string;

  beforeAll(async () => {
    stateDir = await makeStateDir({});
    gw = await spawnGateway(stateDir, { env: { HOLDFAST_GATEWAY_TOKEN: TOKEN } });
  });
  afterAll(() => gw?.stop());

  it("auto-approves a direct loopback device and issues a device token usable instead of the shared token", async () => {
    const id = generateDeviceIdentity();
    const first = await GatewayClient.connect({ url: gw.url, token: TOKEN, device: id, scopes: ["operator.read"] });
    const auth = first.hello?.auth as { deviceToken: string };
    first.close();
    expect(Buffer.from(auth.deviceToken, "base64url")).toHaveLength(32);
    const again = await GatewayClient.connect({
      url: gw.url,
      deviceToken: auth.deviceToken,
      device: id,
      scopes: ["operator.read", "operator.admin"],
    });
    expect(again.hello?.auth).toMatchObject({ method: "device-token", scopes: ["operator.read"] });
    again.close();
    expect(await mode(path.join(stateDir, "devices"))).toBe(0o700);
    expect(await mode(path.join(stateDir, "devices", "paired.json"))).toBe(0o600);
  });

  it("refuses forged, expired and replayed signatures", async () => {
    const id = generateDeviceIdentity();
    const mallory = generateDeviceIdentity();
    const base: ConnectParams = {
      minProtocol: 4,
      maxProtocol: 4,
      client: { id: "cli", mode: "cli" },
      role: "operator",
      scopes: ["operator.read"],
      auth: { token: TOKEN },
    } as ConnectParams;
    const forged = await rawConnect(gw.url, (nonce) => ({
      ...base,
      device: { ...signConnect(mallory, base, nonce, Date.now()), id: id.deviceId, publicKey: id.publicKey },
    }));
    expect(forged).toMatchObject({
      ok: false,
      error: { message: "device signature invalid", details: { code: "DEVICE_AUTH_SIGNATURE_INVALID" } },
    });
    const expired = await rawConnect(gw.url, (nonce) => ({
      ...base,
      device: signConnect(id, base, nonce, Date.now() - 10 * 60_000),
    }));
    expect(expired).toMatchObject({
      ok: false,
      error: { message: "device signature expired", details: { code: "DEVICE_AUTH_SIGNATURE_EXPIRED" } },
    });
    let captured: ConnectParams | undefined;
    const original = await rawConnect(
      gw.url,
      (nonce) => (captured = { ...base, device: signConnect(id, base, nonce, Date.now()) }),
    );
    expect(original.ok).toBe(true);
    const replay = await rawConnect(gw.url, () => captured as ConnectParams);
    expect(replay).toMatchObject({
      ok: false,
      error: { message: "device nonce mismatch", details: { code: "DEVICE_AUTH_NONCE_MISMATCH" } },
    });
  });

  describe.skipIf(!NETNS)("a LAN device (network namespace)", () => {
    let ns: NetNs;
    let lan: GatewayProcess;
    let lanState: string;

    beforeAll(async () => {
      ns = await createNetns();
      lanState = await makeStateDir({ gateway: { bind: "custom", customBindHost: ns.hostIp, tls: PLAINTEXT_LAN } });
      lan = await spawnGateway(lanState, { env: { HOLDFAST_GATEWAY_TOKEN: TOKEN } });
    });
    afterAll(async () => {
      await lan?.stop();
      await ns?.cleanup();
    });

    it("waits for approval, then gets a device token; revocation ends it", async () => {
      const dir = await mkdtemp(path.join(os.tmpdir(), "holdfast-ids-"));
      const id = generateDeviceIdentity();
      const file = await identityFile(dir, id);
      const thief = await identityFile(dir, generateDeviceIdentity());
      const url = `ws://${ns.hostIp}:${lan.port}`;
      const cli = (args: string[]) => runCli(lanState, args, { env: { HOLDFAST_GATEWAY_TOKEN: TOKEN } });

      const [pending] = await ns.client<Result[]>({
        actions: [
          {
            kind: "connect",
            url,
            token: TOKEN,
            identityFile: file,
            scopes: ["operator.read", "operator.write"],
            localAddress: ns.peerIps[0],
          },
        ],
      });
      expect(pending).toMatchObject({ ok: false, code: "NOT_PAIRED", details: { code: "PAIRING_REQUIRED" } });
      const requestId = pending?.details?.requestId as string;

      const listed = await cli(["devices", "list", "--json"]);
      expect(listed.code).toBe(0);
      const list = JSON.parse(listed.stdout) as {
        pending: { requestId: string; deviceId: string; remoteIp: string }[];
        paired: unknown[];
      };
      expect(list.pending).toEqual([
        expect.objectContaining({ requestId, deviceId: id.deviceId, remoteIp: ns.peerIps[0] }),
      ]);
      expect(await mode(path.join(lanState, "devices", "pending.json"))).toBe(0o600);
      expect((await cli(["devices", "approve", requestId])).stdout).toContain(`approved device ${id.deviceId}`);

      const [paired] = await ns.client<Result[]>({
        actions: [{ kind: "connect", url, token: TOKEN, identityFile: file }],
      });
      expect(paired).toMatchObject({ ok: true, auth: { method: "token" } });
      const deviceToken = paired?.auth?.deviceToken as string;
      const [byToken, stolen] = await ns.client<Result[]>({
        actions: [
          { kind: "connect", url, deviceToken, identityFile: file, scopes: ["operator.read"] },
          { kind: "connect", url, deviceToken, identityFile: thief },
        ],
      });
      expect(byToken).toMatchObject({ ok: true, auth: { method: "device-token", scopes: ["operator.read"] } });
      expect(stolen).toMatchObject({ ok: false, details: { code: "AUTH_DEVICE_TOKEN_MISMATCH" } });

      expect((await cli(["devices", "revoke", id.deviceId])).code).toBe(0);
      const [revoked] = await ns.client<Result[]>({
        actions: [{ kind: "connect", url, deviceToken, identityFile: file }],
      });
      expect(revoked).toMatchObject({ ok: false, details: { code: "AUTH_DEVICE_TOKEN_MISMATCH" } });
    });
  });
});
