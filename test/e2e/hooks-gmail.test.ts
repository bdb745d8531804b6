import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWTPayload } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GatewayClient } from "../../src/client/index.js";
import { FakeGmail } from "../support/fake-gmail.js";
import {
  makeStateDir,
  mockModelConfig,
  runCli,
  spawnGateway,
  type GatewayProcess,
} from "../support/gateway-process.js";
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
  let stateDir: string;
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
    stateDir = await makeStateDir({
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

  it("shows a failing Gmail API in the gateway's status until a retry after the backoff fetches the mail", async () => {
    const client = await GatewayClient.connect({ url: gw.url, token: await gw.token() });
    type Box = { mailbox: string; failures: number; lastError?: string };
    const boxes = async () => {
      const doc = (await client.request("status", {})) as {
        hooks: { enabled: boolean; path: string; gmail: { mailboxes: Box[] } };
      };
      expect(doc.hooks).toMatchObject({ enabled: true, path: "/hooks" });
      return doc.hooks.gmail.mailboxes;
    };
    try {
      gmail.failNext(1);
      const { historyId } = gmail.addMail({ from: "bob@example.com", subject: "Later", body: "canary-retry-9c1" });
      expect((await push(await sign(good, claims), "m-retry", historyId)).status).toBe(200);
      await expect.poll(async () => (await boxes())[0]?.failures ?? 0).toBe(1);
      const failing = (await boxes())[0];
      expect(failing).toMatchObject({ mailbox: "owner@example.com" });
      expect(failing?.lastError).toMatch(/503|Backend Error/);
      expect(JSON.stringify(failing)).not.toContain(gmail.oauth.clientSecret);
      const cli = await runCli(stateDir, ["status", "--all"]);
      expect(cli.stdout).toMatch(/^hooks: on at \/hooks; gmail push on: owner@example\.com 1 failed syncs \(.+\)$/m);
      expect(cli.stdout).not.toContain(HOOKS_TOKEN);
      await expect.poll(() => modelSaw("canary-retry-9c1"), { timeout: 20_000, interval: 250 }).toBe(1);
      // The sync clears its failure count after the fetched mail was handed to its run.
      await expect.poll(boxes).toEqual([{ mailbox: "owner@example.com", failures: 0 }]);
    } finally {
      client.close();
    }
  }, 30_000);
});
