import { randomBytes } from "node:crypto";
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
  return exposureContext(config, secrets);
}

/** An exposure context over a fixed clock, silent logs and the given resolved secrets. */
function exposureContext(config: HoldfastConfig, secrets: Map<string, string>): ExposureContext {
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

// Two transport invariants of the containment issue: a gateway reachable beyond loopback starts only
// encrypted (built-in TLS, or a TLS-terminating trusted proxy) or with the explicit, audited opt-out;
// and trusted-proxy auth never starts trusting a range wider than /8 (IPv4) or /32 (IPv6) as proxies.

const RANDOM_TOKEN = randomBytes(32).toString("hex");

const v4Range = fc
  .record({ ip: fc.ipV4(), bits: fc.option(fc.integer({ min: 0, max: 32 }), { nil: undefined }) })
  .map(({ ip, bits }) => (bits === undefined ? ip : `${ip}/${bits}`));
const v6Range = fc
  .record({ ip: fc.ipV6(), bits: fc.integer({ min: 0, max: 128 }) })
  .map(({ ip, bits }) => `${ip}/${bits}`);

const transportArb = fc.record({
  bind: fc.constantFrom("loopback", "lan", "custom", "auto"),
  auth: fc.constantFrom("token", "trusted-proxy"),
  tls: fc.constantFrom(undefined, false, true),
  plaintext: fc.boolean(),
  tailscale: fc.constantFrom("off", "serve"),
  trustedProxies: fc.array(fc.oneof(v4Range, v6Range, fc.constantFrom("0.0.0.0/0", "::/0", "10.0.0.0/8")), {
    minLength: 1,
    maxLength: 3,
  }),
});
type TransportCfg = typeof transportArb extends fc.Arbitrary<infer T> ? T : never;

/** Prefix bits of a range (a bare address is a single host). */
function bitsOf(entry: string): { v6: boolean; bits: number } {
  const [addr = "", bits] = entry.split("/");
  const v6 = addr.includes(":");
  return { v6, bits: bits === undefined ? (v6 ? 128 : 32) : Number(bits) };
}

function transportContext(c: TransportCfg): ExposureContext {
  const config: HoldfastConfig = {
    gateway: {
      bind: c.bind,
      customBindHost: "192.0.2.10",
      auth: {
        mode: c.auth,
        ...(c.auth === "trusted-proxy" ? { trustedProxy: { userHeader: "x-forwarded-user" } } : {}),
      },
      trustedProxies: c.trustedProxies,
      tailscale: { mode: c.tailscale },
      tls: {
        ...(c.tls !== undefined ? { enabled: c.tls, autoGenerate: true } : {}),
        ...(c.plaintext ? { dangerouslyAllowPlaintext: true } : {}),
      },
    },
  };
  return exposureContext(config, new Map(c.auth === "token" ? [["gateway.auth.token", RANDOM_TOKEN]] : []));
}

describe("gateway transport (property)", () => {
  it("starts beyond loopback only with TLS, a TLS-terminating trusted proxy or the explicit opt-out; never trusts a wildcard proxy range", async () => {
    const seen = { remote: 0, refusedTls: 0, refusedWildcard: 0 };
    await fc.assert(
      fc.asyncProperty(transportArb, async (c) => {
        const ctx = transportContext(c);
        const started = await createExposure(ctx, {
          tailscaleRunner: async () => "{}",
          inContainer: true,
          tailnetAddress: "100.100.1.1",
        }).catch((err: unknown) => {
          expect(isHoldfastError(err)).toBe(true);
          const msg = (err as Error).message;
          if (msg.includes("without TLS")) {
            seen.refusedTls += 1;
            expect(msg).toContain("gateway.tls.autoGenerate true");
          }
          if (/trustedProxies/.test(msg)) seen.refusedWildcard += 1;
          return undefined;
        });
        if (!started) return;
        if (!started.plan.loopbackOnly) {
          seen.remote += 1;
          expect(started.tls !== undefined || started.plan.authMode === "trusted-proxy" || c.plaintext).toBe(true);
        }
        if (started.plan.authMode === "trusted-proxy")
          for (const p of c.trustedProxies) {
            const { v6, bits } = bitsOf(p);
            expect(bits, p).toBeGreaterThanOrEqual(v6 ? 32 : 8);
          }
      }),
      { numRuns: 250 },
    );
    // Not vacuous: remote binds started and both refusals happened.
    expect(seen.remote).toBeGreaterThan(10);
    expect(seen.refusedTls).toBeGreaterThan(5);
    expect(seen.refusedWildcard).toBeGreaterThan(5);
  });
});
