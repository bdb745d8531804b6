import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { DeviceAdmitRequest } from "../gateway/index.js";
import { silentLocalPairing } from "./authority.js";

const METHODS = ["token", "password", "none", "device-token", "trusted-proxy", "tailscale"] as const;

const request = fc.record({
  isLocal: fc.boolean(),
  origin: fc.option(fc.constantFrom("http://127.0.0.1:5173", "https://evil.example"), { nil: undefined }),
  mode: fc.option(fc.constantFrom("webchat", "cli", "ui", "node"), { nil: undefined }),
  id: fc.option(fc.constantFrom("openclaw-control-ui", "openclaw-tui", "cli", "node-host"), { nil: undefined }),
  authMethod: fc.constantFrom(...METHODS),
  autoApproveLocal: fc.boolean(),
});

type Req = typeof request extends fc.Arbitrary<infer T> ? T : never;

function admitRequest(r: Req) {
  return {
    deviceId: "d",
    publicKey: "k",
    role: "operator",
    scopes: [],
    params: {
      minProtocol: 4,
      maxProtocol: 4,
      client: { ...(r.id ? { id: r.id } : {}), ...(r.mode ? { mode: r.mode } : {}) },
    },
    client: {
      ip: r.isLocal ? "127.0.0.1" : "198.18.7.1",
      isLocal: r.isLocal,
      ...(r.origin ? { origin: r.origin } : {}),
    },
    authMethod: r.authMethod,
  } as unknown as DeviceAdmitRequest;
}

describe("silent local pairing (reference §3.9)", () => {
  it("never pairs a remote peer, never with autoApproveLocal off, and a browser only as the Control UI with the shared secret", () => {
    fc.assert(
      fc.property(request, (r) => {
        const silent = silentLocalPairing(admitRequest(r), r.autoApproveLocal);
        if (!r.isLocal || !r.autoApproveLocal) expect(silent).toBe(false);
        else if (r.origin === undefined) expect(silent).toBe(true);
        else
          expect(silent).toBe(
            (r.mode === "webchat" || r.id === "openclaw-control-ui") &&
              (r.authMethod === "token" || r.authMethod === "password"),
          );
      }),
    );
  });
});
