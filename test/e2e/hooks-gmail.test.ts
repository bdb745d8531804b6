import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWTPayload } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FakeGmail } from "../support/fake-gmail.js";
import { makeStateDir, mockModelConfig, spawnGateway, type GatewayProcess } from "../support/gateway-process.js";
import { startMockModelServer, type MockModelServer } from "../support/mock-model-server.js";

const AUDIENCE = "https://gateway.example/hooks/gmail";
const PUSHER = "gmail-push@project.iam.gserviceaccount.com";
const HOOKS_TOKEN = "gmail-e2e-hooks-token-0123456789abcdef";

describe("Gmail Pub/Sub push through a real gateway process", () => {
  let mock: MockModelServer;
  let gw: GatewayProcess;
  let jwks: Server;
  let gmail: FakeGmail;
  let good: CryptoKey;
  let stranger: CryptoKey;

  const sign = (key: CryptoKey, claims: JWTPayload, exp: string | number = "5m") =>
    new SignJWT(claims)
      .setProtectedHeader({ alg: "RS256", kid: "k1" })
      .setIssuer("https://accounts.google.com")
      .setIssuedAt()
      .setExpirationTime(exp)
      .sign(key);
  const claims = { aud: AUDIENCE, email: PUSHER, email_verified: true };
  const push = async (jwt: string, messageId: string, historyId: number | string) => {
    const data = Buffer.from(JSON.stringify({ emailAddress: "owner@example.com", historyId })).toString("base64");
    const res = await fetch(`http://127.0.0.1:${gw.port}/hooks/gmail`, {
      method: "POST",
      headers: { authorization: `Bearer ${jwt}`, "content-type": "application/json" },
      body: JSON.stringify({ message: { data, messageId }, subscription: "projects/p/subscriptions/s" }),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };
  const modelSaw = (word: string) =>
    mock.requests.filter((r) => r.messages.some((m) => m.content.includes(word))).length;

  beforeAll(async () => {
    const pair = await generateKeyPair("RS256");
    good = pair.privateKey;
    stranger = (await generateKeyPair("RS256")).privateKey;
    const jwk = { ...(await exportJWK(pair.publicKey)), kid: "k1", alg: "RS256", use: "sig" };
    jwks = createServer((_req, res) => {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ keys: [jwk] }));
    });
    await new Promise<void>((r) => jwks.listen(0, "127.0.0.1", r));
    mock = await startMockModelServer();
    gmail = await new FakeGmail().start();
    const stateDir = await makeStateDir({
      ...mockModelConfig(mock.url),
      hooks: {
        enabled: true,
        token: HOOKS_TOKEN,
        gmail: {
          enabled: true,
          audience: AUDIENCE,
          serviceAccountEmail: PUSHER,
          jwksUrl: `http://127.0.0.1:${(jwks.address() as AddressInfo).port}/certs`,
          sessionKey: "hook:gmail",
          apiBaseUrl: gmail.url,
          oauth: { ...gmail.oauth, tokenUrl: `${gmail.url}/token` },
        },
      },
    });
    gw = await spawnGateway(stateDir);
  });

  afterAll(async () => {
    await gw?.stop();
    await mock?.close();
    await gmail?.close();
    await new Promise((r) => jwks?.close(r));
  });

  it("refuses a wrong key, a wrong audience, an expired token and one without email with 401", async () => {
    const { historyId } = gmail.addMail({ from: "eve@example.com", subject: "hi", body: "canary-refused-7f3" });
    expect((await push(await sign(stranger, claims), "m-1", historyId)).status).toBe(401);
    const otherAud = { ...claims, aud: "https://other.example/" };
    expect((await push(await sign(good, otherAud), "m-2", historyId)).status).toBe(401);
    const past = Math.floor(Date.now() / 1000) - 600;
    expect((await push(await sign(good, claims, past), "m-3", historyId)).status).toBe(401);
    const { email: _e, ...noEmail } = claims;
    expect((await push(await sign(good, noEmail), "m-4", historyId)).status).toBe(401);
    expect((await push(await sign(good, { ...claims, email_verified: false }), "m-5", historyId)).status).toBe(401);
    expect((await push("not-a-jwt", "m-6", historyId)).status).toBe(401);
    expect(gmail.calls("history")).toHaveLength(0);
    expect(modelSaw("canary-refused-7f3")).toBe(0);
  });

  it("fetches the new mail of a good push once as a turn marked external, and answers a duplicate without running it again", async () => {
    const { historyId } = gmail.addMail({ from: "Ann <ann@example.com>", subject: "Lunch", body: "canary-mail-42" });
    const jwt = await sign(good, claims);
    const first = await push(jwt, "m-good", historyId);
    expect(first).toMatchObject({ status: 200, body: { ok: true, duplicate: false } });
    await expect.poll(() => modelSaw("canary-mail-42")).toBe(1);
    const again = await push(jwt, "m-good", historyId);
    expect(again).toMatchObject({ status: 200, body: { ok: true, duplicate: true } });
    await new Promise((r) => setTimeout(r, 300));
    expect(modelSaw("canary-mail-42")).toBe(1);
    const msg = mock.requests.flatMap((r) => r.messages).find((m) => m.content.includes("canary-mail-42"));
    expect(msg?.content).toMatch(
      /^<<<EXTERNAL_CONTENT id=[0-9a-f]{24} source="an email from Ann <ann@example.com> to [^"]+">>>\nNew mail in /,
    );
    expect(msg?.content).toContain("<<<END_EXTERNAL_CONTENT");
  });
});
