import { describe, expect, it } from "vitest";
import { resolveClientAddress, NO_PROXY_TRUST, proxyMatcher, type ClientAddress } from "../net.js";
import type { ConnectParams } from "../protocol/frames.js";
import { ExposureAuthenticator, type AuthSettings } from "./gateway-authenticator.js";
import { AuthRateLimiter, DEFAULT_RATE_LIMIT } from "./rate-limit.js";
import type { DeviceAuthority } from "./types.js";

const TOKEN = "0123456789abcdef0123456789abcdef";
const local = resolveClientAddress("127.0.0.1", {}, NO_PROXY_TRUST);
const remote = (ip = "192.0.2.7", headers: Record<string, string> = {}) =>
  resolveClientAddress(ip, headers, NO_PROXY_TRUST);
const connect = (auth: Record<string, string> = {}, extra: Partial<ConnectParams> = {}): ConnectParams =>
  ({ minProtocol: 4, maxProtocol: 4, auth, ...extra }) as ConnectParams;

function make(
  settings: Partial<AuthSettings> = {},
  extra: { devices?: DeviceAuthority; whois?: (ip: string) => Promise<string | undefined> } = {},
) {
  let now = 1_000_000;
  const sleeps: number[] = [];
  const limiter = new AuthRateLimiter(DEFAULT_RATE_LIMIT, () => now);
  const auth = new ExposureAuthenticator({
    settings: () => ({ mode: "token", token: TOKEN, isTrustedProxy: () => false, allowTailscale: false, ...settings }),
    limiter,
    exemptLoopback: true,
    sleep: async (ms) => void sleeps.push(ms),
    ...extra,
  });
  return { auth, sleeps, advance: (ms: number) => (now += ms) };
}

const code = async (p: Promise<{ ok: boolean; error?: { details?: Record<string, unknown> } }>) => {
  const r = await p;
  return r.ok ? "ok" : r.error?.details?.code;
};

describe("ExposureAuthenticator (WebSocket connect)", () => {
  it("accepts the token in either field and reports mismatch and missing", async () => {
    const { auth } = make();
    expect(await auth.authenticateConnect(connect({ token: TOKEN }), remote(), "n")).toMatchObject({
      ok: true,
      method: "token",
      scopes: ["operator.read", "operator.write"],
    });
    expect(await code(auth.authenticateConnect(connect({ password: TOKEN }), remote(), "n"))).toBe("ok");
    expect(await code(auth.authenticateConnect(connect({ token: "nope-nope-nope-nope-nope-x" }), remote(), "n"))).toBe(
      "AUTH_TOKEN_MISMATCH",
    );
    expect(await code(auth.authenticateConnect(connect(), remote(), "n"))).toBe("AUTH_TOKEN_MISSING");
  });

  it("grants the known scopes a shared-secret holder asks for", async () => {
    const { auth } = make();
    const r = await auth.authenticateConnect(
      connect({ token: TOKEN }, { scopes: ["operator.admin", "made.up"] }),
      remote(),
      "n",
    );
    expect(r).toMatchObject({ ok: true, scopes: ["operator.admin"] });
  });

  it("admits auth none from direct local clients only", async () => {
    const { auth } = make({ mode: "none" });
    expect(await code(auth.authenticateConnect(connect(), local, "n"))).toBe("ok");
    expect(await code(auth.authenticateConnect(connect(), remote(), "n"))).toBe("AUTH_LOCAL_ONLY");
    const rebound = resolveClientAddress("127.0.0.1", { host: "rebind.evil.example:18789" }, NO_PROXY_TRUST);
    expect(await code(auth.authenticateConnect(connect(), rebound, "n"))).toBe("AUTH_LOCAL_ONLY");
    expect((await auth.authenticateHttp({}, rebound)).ok).toBe(false);
    expect(
      (await auth.authenticateHttp({}, resolveClientAddress("127.0.0.1", { host: "localhost:18789" }, NO_PROXY_TRUST)))
        .ok,
    ).toBe(true);
  });

  it("refuses unattributable proxied requests before looking at credentials", async () => {
    const { auth } = make();
    const proxied = resolveClientAddress("127.0.0.1", { "x-forwarded-for": "203.0.113.1" }, NO_PROXY_TRUST);
    expect(await code(auth.authenticateConnect(connect({ token: TOKEN }), proxied, "n"))).toBe(
      "PROXY_ATTRIBUTION_REQUIRED",
    );
    expect((await auth.authenticateHttp({ authorization: `Bearer ${TOKEN}` }, proxied)).ok).toBe(false);
  });

  it("locks a remote address after 10 wrong tokens for 5 minutes, other addresses unaffected", async () => {
    const { auth, advance } = make();
    for (let i = 0; i < 10; i++)
      expect(
        await code(
          auth.authenticateConnect(connect({ token: `wrong-${i}-xxxxxxxxxxxxxxxxxxxx` }), remote("192.0.2.9"), "n"),
        ),
      ).toBe("AUTH_TOKEN_MISMATCH");
    const locked = await auth.authenticateConnect(connect({ token: TOKEN }), remote("192.0.2.9"), "n");
    expect(locked).toMatchObject({
      ok: false,
      closeCode: 1008,
      error: {
        code: "INVALID_REQUEST",
        retryable: true,
        retryAfterMs: 300_000,
        details: { code: "AUTH_RATE_LIMITED", recommendedNextStep: "wait_then_retry" },
      },
    });
    expect(await code(auth.authenticateConnect(connect({ token: TOKEN }), remote("192.0.2.10"), "n"))).toBe("ok");
    expect(await auth.authenticateHttp({ authorization: `Bearer ${TOKEN}` }, remote("192.0.2.9"))).toMatchObject({
      ok: false,
      status: 429,
    });
    advance(300_001);
    expect(await code(auth.authenticateConnect(connect({ token: TOKEN }), remote("192.0.2.9"), "n"))).toBe("ok");
  });

  it("does not count missing credentials as failures", async () => {
    const { auth } = make();
    for (let i = 0; i < 15; i++) await auth.authenticateConnect(connect(), remote(), "n");
    expect(await code(auth.authenticateConnect(connect({ token: TOKEN }), remote(), "n"))).toBe("ok");
  });

  it("never locks direct loopback out; each failure is delayed 250 ms doubling up to 5 s", async () => {
    const { auth, sleeps } = make();
    for (let i = 0; i < 12; i++)
      await auth.authenticateConnect(connect({ token: `wrong-${i}-xxxxxxxxxxxxxxxxxxxx` }), local, "n");
    expect(sleeps).toEqual([250, 500, 1000, 2000, 4000, 5000, 5000, 5000, 5000, 5000, 5000, 5000]);
    expect(await code(auth.authenticateConnect(connect({ token: TOKEN }), local, "n"))).toBe("ok");
  });

  it("locks a browser on loopback out for wrong tokens only: the right token still connects, from any 127/8 address", async () => {
    const { auth, sleeps } = make();
    const page = (ip: string) => resolveClientAddress(ip, { origin: "http://127.0.0.1:9999" }, NO_PROXY_TRUST);
    for (let i = 0; i < 10; i++)
      await auth.authenticateConnect(
        connect({ token: `wrong-${i}-xxxxxxxxxxxxxxxxxxxx` }),
        page(`127.0.0.${i + 2}`),
        "n",
      );
    expect(sleeps).toHaveLength(10);
    expect(
      await code(
        auth.authenticateConnect(connect({ token: "wrong-again-xxxxxxxxxxxxxxxxxx" }), page("127.9.9.9"), "n"),
      ),
    ).toBe("AUTH_RATE_LIMITED");
    expect(await code(auth.authenticateConnect(connect({ token: TOKEN }), page("127.0.0.1"), "n"))).toBe("ok");
    expect(await code(auth.authenticateConnect(connect({ token: TOKEN }), local, "n"))).toBe("ok");
  });

  it("checks trusted-proxy identities in order", async () => {
    const isTrustedProxy = proxyMatcher(["10.0.0.1"]);
    const { auth } = make({
      mode: "trusted-proxy",
      token: undefined,
      isTrustedProxy,
      trustedProxy: { userHeader: "x-user", requiredHeaders: ["x-proxy"], allowUsers: ["alice"], allowLoopback: false },
    });
    const via = (peer: string, headers: Record<string, string>): ClientAddress =>
      resolveClientAddress(peer, { "x-forwarded-for": "198.51.100.4", ...headers }, { isTrustedProxy });
    expect(
      await auth.authenticateConnect(connect(), via("10.0.0.1", { "x-user": "alice", "x-proxy": "1" }), "n"),
    ).toMatchObject({ ok: true, method: "trusted-proxy", user: "alice" });
    expect(
      await code(auth.authenticateConnect(connect(), via("10.0.0.2", { "x-user": "alice", "x-proxy": "1" }), "n")),
    ).toBe("AUTH_TRUSTED_PROXY_UNTRUSTED_SOURCE");
    expect(await code(auth.authenticateConnect(connect(), via("10.0.0.1", { "x-user": "alice" }), "n"))).toBe(
      "AUTH_TRUSTED_PROXY_MISSING_HEADER",
    );
    expect(await code(auth.authenticateConnect(connect(), via("10.0.0.1", { "x-proxy": "1" }), "n"))).toBe(
      "AUTH_TRUSTED_PROXY_USER_MISSING",
    );
    expect(
      await code(auth.authenticateConnect(connect(), via("10.0.0.1", { "x-user": "bob", "x-proxy": "1" }), "n")),
    ).toBe("AUTH_TRUSTED_PROXY_USER_NOT_ALLOWED");
  });

  it("accepts a Tailscale Serve identity only when whois confirms it", async () => {
    const isTrustedProxy = proxyMatcher(["127.0.0.1"]);
    const whois = async (ip: string) => (ip === "100.64.0.7" ? "alice@example.com" : undefined);
    const { auth } = make({ allowTailscale: true, isTrustedProxy }, { whois });
    const served = (
      login: string,
      xff = "100.64.0.7",
      more: Record<string, string> = { "x-forwarded-proto": "https", "x-forwarded-host": "gw.tail.ts.net" },
    ) =>
      resolveClientAddress(
        "127.0.0.1",
        { "tailscale-user-login": login, "x-forwarded-for": xff, ...more },
        { isTrustedProxy },
      );
    expect(await auth.authenticateConnect(connect(), served("Alice@Example.com"), "n")).toMatchObject({
      ok: true,
      method: "tailscale",
      user: "alice@example.com",
    });
    expect(await code(auth.authenticateConnect(connect(), served("mallory@example.com"), "n"))).toBe(
      "AUTH_TAILSCALE_IDENTITY_MISMATCH",
    );
    expect(await code(auth.authenticateConnect(connect(), served("alice@example.com", "100.64.0.8"), "n"))).toBe(
      "AUTH_TAILSCALE_IDENTITY_CHECK_FAILED",
    );
    expect(await code(auth.authenticateConnect(connect(), served("alice@example.com", "100.64.0.7", {}), "n"))).toBe(
      "AUTH_TAILSCALE_PROXY_HEADERS_MISSING",
    );
    expect((await auth.authenticateHttp({}, served("alice@example.com"))).ok).toBe(false);
  });
});

describe("ExposureAuthenticator (devices)", () => {
  const proofOk: DeviceAuthority["verifyProof"] = () => ({ ok: true, deviceId: "d1", publicKey: "pk" });
  const devices = (over: Partial<DeviceAuthority> = {}): DeviceAuthority => ({
    verifyProof: proofOk,
    checkToken: async (_id, token) =>
      token === "device-token-1" ? { role: "operator", scopes: ["operator.read"] } : undefined,
    admit: async (req) =>
      req.client.isLocal
        ? { status: "paired", deviceToken: "fresh" }
        : { status: "pending", requestId: "req-1", expiresAt: 5 },
    ...over,
  });
  const device = {
    device: { id: "d1", publicKey: "pk", signature: "s", signedAt: 1, nonce: "n" },
  } as Partial<ConnectParams>;

  it("auto-pairs a local device and returns its token; files a request for a remote one", async () => {
    const { auth } = make({}, { devices: devices() });
    expect(await auth.authenticateConnect(connect({ token: TOKEN }, device), local, "n")).toMatchObject({
      ok: true,
      deviceId: "d1",
      deviceToken: "fresh",
    });
    expect(await auth.authenticateConnect(connect({ token: TOKEN }, device), remote(), "n")).toMatchObject({
      ok: false,
      error: { code: "NOT_PAIRED", details: { code: "PAIRING_REQUIRED", requestId: "req-1" } },
    });
  });

  it("accepts a device token instead of the shared secret, capped to the approved scopes", async () => {
    const { auth } = make({}, { devices: devices() });
    const r = await auth.authenticateConnect(
      connect({ deviceToken: "device-token-1" }, { ...device, scopes: ["operator.admin", "operator.read"] }),
      remote(),
      "n",
    );
    expect(r).toMatchObject({ ok: true, method: "device-token", scopes: ["operator.read"] });
    expect(await code(auth.authenticateConnect(connect({ deviceToken: "stolen" }, device), remote(), "n"))).toBe(
      "AUTH_DEVICE_TOKEN_MISMATCH",
    );
    expect(await code(auth.authenticateConnect(connect({ deviceToken: "device-token-1" }), remote(), "n"))).toBe(
      "DEVICE_IDENTITY_REQUIRED",
    );
  });

  it("refuses a bad proof and requires a device for role node", async () => {
    const bad = devices({
      verifyProof: () => ({
        ok: false,
        error: {
          code: "INVALID_REQUEST",
          message: "device signature invalid",
          details: { code: "DEVICE_AUTH_SIGNATURE_INVALID" },
        },
      }),
    });
    const { auth } = make({}, { devices: bad });
    expect(await code(auth.authenticateConnect(connect({ token: TOKEN }, device), local, "n"))).toBe(
      "DEVICE_AUTH_SIGNATURE_INVALID",
    );
    expect(await auth.authenticateConnect(connect({ token: TOKEN }, { role: "node" }), local, "n")).toMatchObject({
      ok: false,
      error: { code: "NOT_PAIRED", details: { code: "DEVICE_IDENTITY_REQUIRED" } },
    });
  });
});

describe("ExposureAuthenticator (HTTP)", () => {
  it("takes Bearer for token mode and Basic for password mode; 401 otherwise", async () => {
    const t = make().auth;
    expect(await t.authenticateHttp({ authorization: `Bearer ${TOKEN}` }, remote())).toMatchObject({
      ok: true,
      method: "token",
    });
    expect(await t.authenticateHttp({}, remote())).toMatchObject({
      ok: false,
      status: 401,
      headers: { "www-authenticate": 'Bearer realm="holdfast"' },
    });
    const p = make({ mode: "password", token: undefined, password: "correct horse battery" }).auth;
    const basic = `Basic ${Buffer.from("anyone:correct horse battery").toString("base64")}`;
    expect(await p.authenticateHttp({ authorization: basic }, remote())).toMatchObject({
      ok: true,
      method: "password",
    });
    expect(
      await p.authenticateHttp({ authorization: `Basic ${Buffer.from("x:wrong").toString("base64")}` }, remote()),
    ).toMatchObject({ status: 401, headers: { "www-authenticate": 'Basic realm="holdfast"' } });
  });

  it("answers 429 with Retry-After once locked", async () => {
    const { auth } = make();
    for (let i = 0; i < 10; i++)
      await auth.authenticateHttp({ authorization: "Bearer wrong-wrong-wrong-wrong-wrong" }, remote());
    expect(await auth.authenticateHttp({ authorization: `Bearer ${TOKEN}` }, remote())).toMatchObject({
      ok: false,
      status: 429,
      headers: { "retry-after": "300" },
    });
  });
});
