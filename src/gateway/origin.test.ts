import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { NO_PROXY_TRUST, resolveClientAddress } from "./net.js";
import { checkOrigin, normalizeOrigin } from "./origin.js";

const policy = { allowedOrigins: ["https://chat.example.com"], hostHeaderFallback: false };
const req = (peer: string, origin: string | undefined, host: string) =>
  resolveClientAddress(peer, { host, ...(origin ? { origin } : {}) }, NO_PROXY_TRUST);

describe("checkOrigin", () => {
  it("accepts non-browser clients, the gateway's own private origin and listed origins", () => {
    expect(checkOrigin(req("127.0.0.1", undefined, "127.0.0.1:18789"), policy)).toMatchObject({
      allow: true,
      reason: "no_origin",
    });
    expect(checkOrigin(req("127.0.0.1", "http://127.0.0.1:18789", "127.0.0.1:18789"), policy).allow).toBe(true);
    expect(checkOrigin(req("127.0.0.1", "http://localhost:18789", "localhost:18789"), policy)).toMatchObject({
      allow: true,
      reason: "own_origin",
    });
    expect(checkOrigin(req("192.168.1.20", "http://192.168.1.5:18789", "192.168.1.5:18789"), policy)).toMatchObject({
      allow: true,
      reason: "own_origin",
    });
    expect(checkOrigin(req("100.64.1.2", "https://gw.tail1234.ts.net", "gw.tail1234.ts.net"), policy).allow).toBe(true);
    expect(checkOrigin(req("198.51.100.1", "https://CHAT.example.com", "gw.example.com"), policy)).toMatchObject({
      allow: true,
      reason: "allowed_origin",
    });
  });

  it("refuses foreign pages, DNS-rebinding names, null and malformed origins", () => {
    expect(checkOrigin(req("127.0.0.1", "https://evil.example", "127.0.0.1:18789"), policy)).toMatchObject({
      allow: false,
      reason: "origin_not_allowed",
    });
    expect(
      checkOrigin(req("127.0.0.1", "http://rebind.evil.example:18789", "rebind.evil.example:18789"), policy).allow,
    ).toBe(false);
    expect(checkOrigin(req("192.168.1.20", "http://127.0.0.1:18789", "192.168.1.5:18789"), policy).allow).toBe(false);
    expect(checkOrigin(req("127.0.0.1", "http://127.0.0.1:3000", "127.0.0.1:18789"), policy).allow).toBe(false);
    expect(checkOrigin(req("192.0.2.7", "http://127.0.0.1:18789", "127.0.0.1:18789"), policy).allow).toBe(false);
    expect(checkOrigin(req("127.0.0.1", "null", "127.0.0.1:18789"), policy)).toMatchObject({
      allow: false,
      reason: "origin_invalid",
    });
    expect(normalizeOrigin("http://user:pw@127.0.0.1")).toBeUndefined();
    expect(normalizeOrigin("javascript:alert(1)")).toBeUndefined();
  });

  it("uses the Host header fallback only when enabled", () => {
    const r = req("198.51.100.1", "https://gw.example.com", "gw.example.com");
    expect(checkOrigin(r, policy).allow).toBe(false);
    expect(checkOrigin(r, { ...policy, hostHeaderFallback: true })).toMatchObject({
      allow: true,
      reason: "host_header_fallback",
    });
  });

  it("property: a public origin that is not listed is refused, whatever Host the request claims", () => {
    const publicHost = fc
      .domain()
      .filter((d) => !d.endsWith(".local") && !d.endsWith(".ts.net") && d !== "chat.example.com");
    fc.assert(
      fc.property(
        publicHost,
        fc.constantFrom("http", "https"),
        fc.boolean(),
        fc.constantFrom("127.0.0.1", "192.0.2.9"),
        (host, scheme, sameHost, peer) => {
          const origin = `${scheme}://${host}`;
          expect(checkOrigin(req(peer, origin, sameHost ? host : "127.0.0.1:18789"), policy).allow).toBe(false);
        },
      ),
    );
  });
});
