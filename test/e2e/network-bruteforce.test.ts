import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GatewayClient } from "../../src/client/index.js";
import { makeStateDir, spawnGateway, type GatewayProcess } from "../support/gateway-process.js";
import { canUseNetns, createNetns, PLAINTEXT_LAN, type NetNs } from "../support/netns.js";

const TOKEN = "bruteforce-test-token-0123456789abcdef";
type ConnectResult = {
  ok?: boolean;
  code?: string;
  retryAfterMs?: number;
  details?: { code?: string };
  auth?: { method?: string };
};
type HttpResult = { status: number; retryAfter?: string; body: string };

describe.skipIf(!(await canUseNetns()))(
  "failed-auth rate limiting from a non-loopback peer (network namespace)",
  () => {
    let ns: NetNs;
    let gw: GatewayProcess;
    let remoteUrl: string;

    beforeAll(async () => {
      ns = await createNetns();
      const stateDir = await makeStateDir({
        gateway: { bind: "custom", customBindHost: ns.hostIp, tls: PLAINTEXT_LAN },
      });
      gw = await spawnGateway(stateDir, { env: { HOLDFAST_GATEWAY_TOKEN: TOKEN } });
      remoteUrl = `ws://${ns.hostIp}:${gw.port}`;
    });

    afterAll(async () => {
      await gw?.stop();
      await ns?.cleanup();
    });

    it("locks a peer out after 10 wrong tokens, even for the right token; other peers are unaffected", async () => {
      const [attacker, other] = ns.peerIps;
      const wrong = {
        kind: "connect",
        url: remoteUrl,
        token: "not-the-token-but-long-enough-xx",
        localAddress: attacker,
      };
      const results = await ns.client<(ConnectResult & HttpResult)[]>({
        actions: [
          { kind: "repeat", times: 10, action: wrong },
          { kind: "connect", url: remoteUrl, token: TOKEN, localAddress: attacker },
          { kind: "connect", url: remoteUrl, token: TOKEN, localAddress: other },
          {
            kind: "http",
            url: `http://${ns.hostIp}:${gw.port}/api/status`,
            headers: { authorization: `Bearer ${TOKEN}` },
            localAddress: attacker,
          },
          {
            kind: "http",
            url: `http://${ns.hostIp}:${gw.port}/api/status`,
            headers: { authorization: `Bearer ${TOKEN}` },
            localAddress: other,
          },
        ],
      });
      const failures = results.slice(0, 10);
      expect(failures.every((r) => !r.ok && r.details?.code === "AUTH_TOKEN_MISMATCH")).toBe(true);
      expect(results[10]).toMatchObject({
        ok: false,
        code: "INVALID_REQUEST",
        details: { code: "AUTH_RATE_LIMITED", authReason: "rate_limited" },
      });
      expect(results[10]?.retryAfterMs).toBeGreaterThan(200_000);
      expect(results[11]).toMatchObject({ ok: true, auth: { method: "token" } });
      const httpLocked = results[12] as HttpResult;
      expect(httpLocked.status).toBe(429);
      expect(Number(httpLocked.retryAfter)).toBeGreaterThan(200);
      expect(JSON.parse(httpLocked.body)).toEqual({
        error: { message: "Too many failed authentication attempts. Please try again later.", type: "rate_limited" },
      });
      expect((results[13] as HttpResult).status).toBe(200);

      const local = await GatewayClient.connect({ url: gw.url, token: TOKEN });
      expect(local.hello).toMatchObject({ auth: { method: "token" } });
      local.close();
    });

    it("never locks out a direct loopback client: failures are only delayed", async () => {
      const attempts = Array.from({ length: 11 }, () =>
        GatewayClient.connect({ url: gw.url, token: "wrong-loopback-token-123456789" }).then(
          () => "connected",
          (e: { wireDetails?: { code?: string } }) => e.wireDetails?.code,
        ),
      );
      expect(await Promise.all(attempts)).toEqual(Array.from({ length: 11 }, () => "AUTH_TOKEN_MISMATCH"));
      const client = await GatewayClient.connect({ url: gw.url, token: TOKEN });
      expect(client.hello).toMatchObject({ auth: { method: "token" } });
      client.close();
    });

    it("refuses a loopback request carrying forwarding headers from an untrusted peer before checking credentials", async () => {
      const res = await fetch(`${gw.url.replace("ws", "http")}/api/status`, {
        headers: { authorization: `Bearer ${TOKEN}`, "x-forwarded-for": "203.0.113.9" },
      });
      expect(res.status).toBe(403);
      expect(await res.json()).toMatchObject({ error: { type: "proxy_attribution_required" } });
      const err = await GatewayClient.connect({
        url: gw.url,
        token: TOKEN,
        wsOptions: { headers: { "x-forwarded-for": "203.0.113.9" } },
      }).catch((e: unknown) => e);
      expect(err).toMatchObject({ wireDetails: { code: "PROXY_ATTRIBUTION_REQUIRED" } });
    });
  },
);
