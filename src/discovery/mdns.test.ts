import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { effectiveMdnsMode, LEAKING_TXT_KEYS, mdnsNames, mdnsTxt } from "./mdns.js";

describe("mDNS advertisement policy", () => {
  it("is off with HOLDFAST_DISABLE_BONJOUR=1 or a loopback-only bind, minimal by default", () => {
    expect(effectiveMdnsMode(undefined, {}, false)).toBe("minimal");
    expect(effectiveMdnsMode("full", { HOLDFAST_DISABLE_BONJOUR: "1" }, false)).toBe("off");
    expect(effectiveMdnsMode("full", {}, true)).toBe("off");
    expect(effectiveMdnsMode("off", {}, false)).toBe("off");
  });

  it("property: minimal TXT records and names never carry host, user or path details", () => {
    const hostArb = fc.record({
      hostname: fc.domain().filter((d) => !d.includes(".l")),
      cliPath: fc.constantFrom("/home/alice/.npm/bin/holdfast", "/Users/bob/holdfast"),
      sshPort: fc.integer({ min: 1, max: 65535 }),
      tailnetDns: fc.domain(),
    });
    fc.assert(
      fc.property(
        hostArb,
        fc.integer({ min: 1, max: 65535 }),
        fc.option(
          fc.uint8Array({ minLength: 32, maxLength: 32 }).map((b) => Buffer.from(b).toString("hex")),
          { nil: undefined },
        ),
        (host, port, fp) => {
          const txt = mdnsTxt("minimal", { port, host, ...(fp ? { tlsFingerprint: fp } : {}) });
          for (const k of LEAKING_TXT_KEYS) expect(txt).not.toHaveProperty(k);
          const flat = JSON.stringify(txt) + JSON.stringify(mdnsNames("minimal", host.hostname, "/state"));
          for (const v of [host.hostname, host.cliPath, host.tailnetDns, "alice", "bob"]) expect(flat).not.toContain(v);
          expect(txt).toMatchObject({ role: "gateway", gatewayPort: String(port) });
        },
      ),
    );
  });

  it("publishes the details only in full mode", () => {
    const txt = mdnsTxt("full", {
      port: 1,
      host: { hostname: "box", cliPath: "/home/alice/bin/holdfast", sshPort: 22 },
    });
    expect(txt).toMatchObject({
      displayName: "box",
      lanHost: "box.local",
      cliPath: "/home/alice/bin/holdfast",
      sshPort: "22",
    });
    expect(mdnsNames("full", "box", "s").host).toBe("box.local");
  });
});
