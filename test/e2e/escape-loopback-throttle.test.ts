import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GatewayClient } from "../../src/client/index.js";
import { makeStateDir, spawnGateway, type GatewayProcess } from "../support/gateway-process.js";

const TOKEN = "Lb7pQ2vX9sKd4Rf1Wm8Zt3Yc6Nh0Jg5Ue";

/** Connects and answers "ok" or the failure's wire code. */
async function attempt(url: string, token: string, ws: { localAddress?: string; origin?: string }): Promise<string> {
  try {
    const c = await GatewayClient.connect({ url, token, wsOptions: ws });
    c.close();
    return "ok";
  } catch (e) {
    return String((e as { wireDetails?: { code?: string } }).wireDetails?.code ?? e);
  }
}

/**
 * Escape table, loopback throttling (failed on the gateway before): rotating 127.x.y.z gave every
 * attempt a fresh rate-limit bucket, and ten failures with the WebChat `Origin` locked WebChat out
 * even for the right token.
 */
describe("escape table: failed-auth throttling from loopback (real gateway)", () => {
  let gw: GatewayProcess;
  let webchatOrigin: string;

  beforeAll(async () => {
    const stateDir = await makeStateDir({
      gateway: { auth: { rateLimit: { exemptLoopback: false, maxAttempts: 3 } } },
    });
    gw = await spawnGateway(stateDir, { env: { HOLDFAST_GATEWAY_TOKEN: TOKEN } });
    webchatOrigin = `http://127.0.0.1:${gw.port}`;
  });

  afterAll(async () => {
    await gw?.stop();
  });

  it("counts every 127/8 address in one bucket, yet never locks the right token out", async () => {
    const wrong = await Promise.all(
      Array.from({ length: 3 }, (_, i) =>
        attempt(gw.url, `wrong-token-${i}-xxxxxxxxxxxxxxxxxx`, { localAddress: `127.0.${i}.${i + 2}` }),
      ),
    );
    expect(wrong).toEqual(Array.from({ length: 3 }, () => "AUTH_TOKEN_MISMATCH"));
    expect(await attempt(gw.url, "wrong-token-rotated-xxxxxxxxxxxxxx", { localAddress: "127.44.55.66" })).toBe(
      "AUTH_RATE_LIMITED",
    );
    expect(await attempt(gw.url, TOKEN, { localAddress: "127.99.0.1" })).toBe("ok");
    const status = await fetch(`http://127.0.0.1:${gw.port}/api/status`, {
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    expect(status.status).toBe(200);
  });

  it("keeps WebChat usable with the right token after ten failures from its Origin", async () => {
    const wrong = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        attempt(gw.url, `wrong-webchat-${i}-xxxxxxxxxxxxxxxxx`, { origin: webchatOrigin }),
      ),
    );
    expect(wrong).toContain("AUTH_RATE_LIMITED");
    expect(await attempt(gw.url, TOKEN, { origin: webchatOrigin })).toBe("ok");
  });
});
