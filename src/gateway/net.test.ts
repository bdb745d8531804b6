import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { invalidProxyEntry, NO_PROXY_TRUST, proxyMatcher, resolveClientAddress } from "./net.js";

const FORWARDING = ["forwarded", "x-forwarded-for", "x-real-ip", "x-forwarded-host", "x-forwarded-proto"] as const;

describe("resolveClientAddress", () => {
  it("gives local trust only to a loopback peer without forwarding headers", () => {
    expect(resolveClientAddress("127.0.0.1", {}, NO_PROXY_TRUST)).toMatchObject({
      ip: "127.0.0.1",
      isLocal: true,
      unattributedProxy: false,
    });
    expect(resolveClientAddress("::ffff:127.0.0.1", {}, NO_PROXY_TRUST)).toMatchObject({
      peerIp: "127.0.0.1",
      isLocal: true,
    });
    expect(resolveClientAddress("127.0.0.1", { "x-real-ip": "1.2.3.4" }, NO_PROXY_TRUST)).toMatchObject({
      ip: "127.0.0.1",
      isLocal: false,
      unattributedProxy: true,
    });
    expect(resolveClientAddress("192.0.2.4", { "x-forwarded-for": "127.0.0.1" }, NO_PROXY_TRUST)).toMatchObject({
      ip: "192.0.2.4",
      isLocal: false,
      unattributedProxy: false,
    });
  });

  it("takes the rightmost untrusted X-Forwarded-For hop behind a trusted proxy", () => {
    const trust = { isTrustedProxy: proxyMatcher(["10.0.0.0/8", "127.0.0.1"]) };
    expect(
      resolveClientAddress("10.1.1.1", { "x-forwarded-for": "6.6.6.6, 198.51.100.7, 10.2.2.2" }, trust),
    ).toMatchObject({ ip: "198.51.100.7", viaTrustedProxy: true, isLocal: false });
    expect(resolveClientAddress("127.0.0.1", { "x-forwarded-for": "[2001:db8::1]:443" }, trust)).toMatchObject({
      ip: "2001:db8::1",
    });
    expect(resolveClientAddress("127.0.0.1", { "x-forwarded-for": "203.0.113.9:5555" }, trust)).toMatchObject({
      ip: "203.0.113.9",
    });
    expect(resolveClientAddress("10.1.1.1", { "x-forwarded-for": "10.3.3.3, 127.0.0.1" }, trust)).toMatchObject({
      unattributedProxy: true,
    });
    expect(resolveClientAddress("10.1.1.1", { "x-forwarded-for": "not-an-ip" }, trust)).toMatchObject({
      unattributedProxy: true,
    });
    expect(
      resolveClientAddress("10.1.1.1", { "x-real-ip": "198.51.100.8" }, { ...trust, allowRealIpFallback: true }),
    ).toMatchObject({ ip: "198.51.100.8" });
    expect(resolveClientAddress("10.1.1.1", { "x-real-ip": "198.51.100.8" }, trust)).toMatchObject({
      unattributedProxy: true,
    });
  });

  it("matches IPv4/IPv6 addresses and CIDRs, and names bad entries", () => {
    const m = proxyMatcher(["192.0.2.0/24", "2001:db8::/32", "203.0.113.5"]);
    expect([m("192.0.2.200"), m("::ffff:192.0.2.1"), m("2001:db8::99"), m("203.0.113.5"), m("203.0.113.6")]).toEqual([
      true,
      true,
      true,
      true,
      false,
    ]);
    expect(invalidProxyEntry("10.0.0.0/33")).toContain("prefix");
    expect(invalidProxyEntry("localhost")).toContain("not an IP");
    expect(invalidProxyEntry("::1")).toBeUndefined();
  });

  it("property: a peer that is not a trusted proxy is the client whatever headers it sends, and forwarding headers never grant local trust", () => {
    const headerArb = fc.dictionary(
      fc.constantFrom(...FORWARDING),
      fc.oneof(fc.ipV4(), fc.constant("127.0.0.1"), fc.string()),
      { minKeys: 1 },
    );
    const trust = { isTrustedProxy: proxyMatcher(["10.0.0.1"]) };
    fc.assert(
      fc.property(fc.oneof(fc.ipV4(), fc.constant("127.0.0.1"), fc.ipV6()), headerArb, (peer, headers) => {
        const c = resolveClientAddress(peer, headers, trust);
        expect(c.isLocal).toBe(false);
        if (!trust.isTrustedProxy(c.peerIp)) {
          expect(c.ip).toBe(c.peerIp);
          expect(c.unattributedProxy).toBe(c.isLoopbackPeer);
        }
      }),
    );
  });
});
