import { mkdtempSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { resolvePaths, type HoldfastConfig } from "../config/index.js";
import { isHoldfastError } from "../errors/index.js";
import { createLogger } from "../logging/index.js";
import { SecretsRuntime, SecretsSnapshot } from "../secrets/index.js";
import { createExposure, exposureAuthenticator, type ExposureContext } from "./exposure-stage.js";
import { resolveClientAddress } from "./net.js";
import type { ConnectParams } from "./protocol/frames.js";

// The seeds' "gateway exposure" model (reference §10.5 property 1): for every bind × auth mode ×
// tailscale mode, the gateway either refuses to start, or every peer that is not a direct local
// client must present a credential: the shared secret, a paired device's token, a trusted proxy's
// user identity, or a Tailscale identity that `tailscale whois` confirms. Nothing else gets in.

const BINDS = ["loopback", "lan", "tailnet", "auto", "custom"] as const;
const AUTH = ["token", "password", "trusted-proxy", "none", undefined] as const;
const TAILSCALE = ["off", "serve", "funnel"] as const;
const STRONG = "f00dfeedf00dfeedf00dfeedf00dfeedf00dfeed";
const TAILNET_USER = { ip: "100.64.0.7", login: "alice@example.com" };
const stateDir = mkdtempSync(path.join(os.tmpdir(), "holdfast-exposure-prop-"));

const secretArb = fc.option(
  fc.constantFrom(STRONG, "changeme", "short", "your-password", "correct horse battery staple"),
  { nil: undefined },
);
const configArb = fc.record({
  bind: fc.constantFrom(...BINDS),
  auth: fc.constantFrom(...AUTH),
  tailscale: fc.constantFrom(...TAILSCALE),
  token: secretArb,
  password: secretArb,
  customBindHost: fc.constantFrom("192.0.2.10", "127.0.0.9", "10.9.8.7"),
  trustedProxies: fc.subarray(["192.0.2.50", "198.51.100.0/24", "127.0.0.1"]),
  userHeader: fc.option(fc.constantFrom("x-forwarded-user", "x-auth-user"), { nil: undefined }),
  allowTailscale: fc.boolean(),
  tailnetAddress: fc.option(fc.constant("100.100.1.1"), { nil: undefined }),
  inContainer: fc.boolean(),
});

const ipArb = fc.oneof(fc.ipV4(), fc.constantFrom("192.0.2.50", "198.51.100.7", TAILNET_USER.ip, "127.0.0.1", "::1"));
const requestArb = fc.record({
  peer: fc.oneof(
    fc.ipV4().filter((ip) => !ip.startsWith("127.")),
    fc.constantFrom("192.0.2.50", "198.51.100.7", "100.100.1.2", "127.0.0.1", "::1"),
  ),
  xff: fc.option(
    fc.array(ipArb, { minLength: 1, maxLength: 3 }).map((a) => a.join(", ")),
    { nil: undefined },
  ),
  realIp: fc.option(ipArb, { nil: undefined }),
  user: fc.option(fc.constantFrom("mallory", "alice@example.com"), { nil: undefined }),
  tailscaleLogin: fc.option(fc.constantFrom(TAILNET_USER.login, "mallory@example.com"), { nil: undefined }),
  origin: fc.option(fc.constantFrom("http://127.0.0.1:18789", "https://evil.example"), { nil: undefined }),
  token: fc.option(fc.constantFrom("wrong-token-wrong-token-wrong", "", "changeme"), { nil: undefined }),
  password: fc.option(fc.constantFrom("wrong password", ""), { nil: undefined }),
  deviceToken: fc.option(fc.constant("not-a-device-token"), { nil: undefined }),
});

type Cfg = typeof configArb extends fc.Arbitrary<infer T> ? T : never;

function contextFor(c: Cfg): ExposureContext {
  const config: HoldfastConfig = {
    gateway: {
      bind: c.bind,
      customBindHost: c.customBindHost,
      ...(c.auth
        ? {
            auth: {
              mode: c.auth,
              allowTailscale: c.allowTailscale,
              ...(c.userHeader ? { trustedProxy: { userHeader: c.userHeader, allowLoopback: true } } : {}),
            },
          }
        : { auth: { allowTailscale: c.allowTailscale } }),
      trustedProxies: c.trustedProxies,
      tailscale: { mode: c.tailscale },
    },
  };
  const secrets = new Map<string, string>();
  if (c.token !== undefined) secrets.set("gateway.auth.token", c.token);
  if (c.password !== undefined) secrets.set("gateway.auth.password", c.password);
  return {
    paths: resolvePaths({ HOLDFAST_STATE_DIR: stateDir }),
    config,
    env: {},
    log: createLogger({ level: "silent", consoleLevel: "silent" }),
    clock: { now: () => 1_700_000_000_000, sleep: async () => undefined },
    secrets: new SecretsRuntime(new SecretsSnapshot(secrets)),
    say: () => undefined,
  };
}

describe("gateway exposure model (property)", () => {
  it("either refuses to start or requires a credential from every peer that is not direct-local", async () => {
    const seen = { started: 0, refused: 0, remoteRequests: 0 };
    await fc.assert(
      fc.asyncProperty(configArb, fc.array(requestArb, { minLength: 1, maxLength: 6 }), async (c, requests) => {
        const ctx = contextFor(c);
        const runner = async (args: readonly string[]) =>
          args[0] === "whois" && args[2] === TAILNET_USER.ip
            ? JSON.stringify({ UserProfile: { LoginName: TAILNET_USER.login } })
            : "{}";
        let exposure;
        try {
          exposure = await createExposure(ctx, {
            tailscaleRunner: runner,
            inContainer: c.inContainer,
            ...(c.tailnetAddress ? { tailnetAddress: c.tailnetAddress } : {}),
          });
        } catch (err) {
          expect(isHoldfastError(err)).toBe(true);
          seen.refused += 1;
          return;
        }
        seen.started += 1;
        const auth = exposureAuthenticator(ctx, exposure);
        for (const r of requests) {
          const headers: Record<string, string> = {
            ...(r.xff
              ? { "x-forwarded-for": r.xff, "x-forwarded-proto": "https", "x-forwarded-host": "gw.example.ts.net" }
              : {}),
            ...(r.realIp ? { "x-real-ip": r.realIp } : {}),
            ...(r.user ? { "x-forwarded-user": r.user, "x-auth-user": r.user } : {}),
            ...(r.tailscaleLogin ? { "tailscale-user-login": r.tailscaleLogin } : {}),
            ...(r.origin ? { origin: r.origin } : {}),
          };
          const client = resolveClientAddress(r.peer, headers, exposure.proxyTrust);
          if (client.isLocal) continue;
          seen.remoteRequests += 1;
          const params = {
            minProtocol: 4,
            maxProtocol: 4,
            auth: {
              ...(r.token !== undefined ? { token: r.token } : {}),
              ...(r.password !== undefined ? { password: r.password } : {}),
            },
          } as ConnectParams;
          const ws = await auth.authenticateConnect(params, client, "nonce");
          const http = await auth.authenticateHttp(
            { ...headers, ...(r.token ? { authorization: `Bearer ${r.token}` } : {}) },
            client,
          );
          for (const res of [ws, http]) {
            if (!res.ok) continue;
            // Only identities vouched for by a configured trusted proxy or confirmed by tailscale whois.
            expect(["trusted-proxy", "tailscale"]).toContain(res.method);
            if (res.method === "trusted-proxy") expect(exposure.settings.isTrustedProxy(client.peerIp)).toBe(true);
            if (res.method === "tailscale")
              expect([client.ip, res.user]).toEqual([TAILNET_USER.ip, TAILNET_USER.login]);
          }
        }
      }),
      { numRuns: 600 },
    );
    // Not vacuous: both outcomes happen and remote peers were tried against running configurations.
    expect(seen.started).toBeGreaterThan(30);
    expect(seen.refused).toBeGreaterThan(30);
    expect(seen.remoteRequests).toBeGreaterThan(50);
  });

  it("covers every bind × auth × tailscale combination, each either refused or credential-gated", async () => {
    for (const bind of BINDS) {
      for (const authMode of AUTH) {
        for (const tailscale of TAILSCALE) {
          const ctx = contextFor({
            bind,
            auth: authMode,
            tailscale,
            token: STRONG,
            password: undefined,
            customBindHost: "192.0.2.10",
            trustedProxies: [],
            userHeader: undefined,
            allowTailscale: false,
            tailnetAddress: "100.100.1.1",
            inContainer: true,
          });
          const started = await createExposure(ctx, {
            tailscaleRunner: async () => "{}",
            inContainer: true,
            tailnetAddress: "100.100.1.1",
          }).catch(() => undefined);
          if (!started) continue;
          const auth = exposureAuthenticator(ctx, started);
          const remote = resolveClientAddress("203.0.113.5", {}, started.proxyTrust);
          expect(
            (await auth.authenticateConnect({ minProtocol: 4, maxProtocol: 4 } as ConnectParams, remote, "n")).ok,
            `${bind}/${authMode}/${tailscale}`,
          ).toBe(false);
          expect((await auth.authenticateHttp({}, remote)).ok).toBe(false);
          if (!started.plan.loopbackOnly || tailscale !== "off") expect(started.plan.authMode).not.toBe("none");
        }
      }
    }
  });
});
