import { X509Certificate } from "node:crypto";
import { readFile, stat } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GatewayClient } from "../../src/client/index.js";
import { makeStateDir, runCli, spawnGateway, type GatewayProcess } from "../support/gateway-process.js";

const TOKEN = "tls-e2e-token-0123456789abcdef0123";

describe("TLS with a generated certificate and fingerprint pinning (real process)", () => {
  let gw: GatewayProcess;
  let stateDir: string;
  let fingerprint: string;

  beforeAll(async () => {
    stateDir = await makeStateDir({ gateway: { tls: { enabled: true, autoGenerate: true } } });
    gw = await spawnGateway(stateDir, { env: { HOLDFAST_GATEWAY_TOKEN: TOKEN } });
    fingerprint = /TLS certificate SHA-256 fingerprint: ([0-9A-F:]{95})/.exec(gw.stdout.join(""))?.[1] ?? "";
  });
  afterAll(() => gw?.stop());

  it("serves wss:// and prints the SHA-256 fingerprint of the certificate it stored with mode 600", async () => {
    expect(gw.url).toMatch(/^wss:\/\/127\.0\.0\.1:\d+$/);
    const certPath = path.join(stateDir, "tls", "gateway-cert.pem");
    expect(new X509Certificate(await readFile(certPath)).fingerprint256).toBe(fingerprint);
    expect((await stat(path.join(stateDir, "tls", "gateway-key.pem"))).mode & 0o777).toBe(0o600);
  });

  it("connects when the client pins the printed fingerprint (in either notation)", async () => {
    for (const pin of [fingerprint, fingerprint.replaceAll(":", "").toLowerCase()]) {
      const client = await GatewayClient.connect({ url: gw.url, token: TOKEN, tlsFingerprint: pin });
      expect(await client.request("health")).toMatchObject({ ok: true });
      client.close();
    }
  });

  it("fails with a wrong pin before sending anything, and without a pin the self-signed certificate is not trusted", async () => {
    const wrong = fingerprint.replace(/^../, fingerprint.startsWith("00") ? "11" : "00");
    await expect(GatewayClient.connect({ url: gw.url, token: TOKEN, tlsFingerprint: wrong })).rejects.toMatchObject({
      code: "HF_TLS_PIN_MISMATCH",
    });
    await expect(GatewayClient.connect({ url: gw.url, token: TOKEN })).rejects.toMatchObject({
      code: "HF_GATEWAY_UNREACHABLE",
    });
  });

  it("lets local CLI commands reach it through the pin recorded in the PID file", async () => {
    const pid = JSON.parse(await readFile(path.join(stateDir, "gateway.pid"), "utf8")) as {
      tls: boolean;
      tlsFingerprint: string;
    };
    expect(pid).toMatchObject({ tls: true, tlsFingerprint: fingerprint });
    const res = await runCli(stateDir, ["devices", "list", "--json"], { env: { HOLDFAST_GATEWAY_TOKEN: TOKEN } });
    expect(res.code).toBe(0);
    expect(JSON.parse(res.stdout)).toEqual({ pending: [], paired: [] });
  });
});
