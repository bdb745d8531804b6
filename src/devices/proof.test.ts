import { createHash } from "node:crypto";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { ConnectParams } from "../gateway/index.js";
import {
  DEVICE_SIGNATURE_SKEW_MS,
  devicePayload,
  generateDeviceIdentity,
  signConnect,
  verifyDeviceBlock,
} from "./proof.js";

const NOW = 1_700_000_000_000;
const identity = generateDeviceIdentity();
const params = (over: Partial<ConnectParams> = {}): ConnectParams =>
  ({
    minProtocol: 4,
    maxProtocol: 4,
    client: { id: "cli", mode: "cli", platform: "Linux" },
    role: "operator",
    scopes: ["operator.read"],
    auth: { token: "t".repeat(30) },
    ...over,
  }) as ConnectParams;
const signed = (p: ConnectParams, nonce = "nonce-1", at = NOW) => ({
  ...p,
  device: signConnect(identity, p, nonce, at),
});

describe("device proof (Ed25519, reference §3.4)", () => {
  it("derives the device id as hex SHA-256 of the raw public key", () => {
    expect(identity.deviceId).toBe(
      createHash("sha256").update(Buffer.from(identity.publicKey, "base64url")).digest("hex"),
    );
    expect(Buffer.from(identity.publicKey, "base64url")).toHaveLength(32);
  });

  it("signs the v3 payload and verifies it", () => {
    const p = params();
    expect(devicePayload("v3", p, { id: "d", signedAt: 5, nonce: "n" })).toBe(
      `v3|d|cli|cli|operator|operator.read|5|${"t".repeat(30)}|n|linux|`,
    );
    expect(verifyDeviceBlock(signed(p), "nonce-1", NOW)).toEqual({
      ok: true,
      deviceId: identity.deviceId,
      publicKey: identity.publicKey,
    });
  });

  it("refuses a replay on another connection (nonce), an expired signature, a forged key and a foreign id", () => {
    const p = signed(params());
    expect(verifyDeviceBlock(p, "nonce-2", NOW)).toEqual({ ok: false, code: "DEVICE_AUTH_NONCE_MISMATCH" });
    expect(verifyDeviceBlock(p, "nonce-1", NOW + DEVICE_SIGNATURE_SKEW_MS + 1)).toEqual({
      ok: false,
      code: "DEVICE_AUTH_SIGNATURE_EXPIRED",
    });
    expect(verifyDeviceBlock(p, "nonce-1", NOW - DEVICE_SIGNATURE_SKEW_MS - 1)).toEqual({
      ok: false,
      code: "DEVICE_AUTH_SIGNATURE_EXPIRED",
    });
    const other = generateDeviceIdentity();
    expect(verifyDeviceBlock({ ...p, device: { ...p.device, publicKey: other.publicKey } }, "nonce-1", NOW)).toEqual({
      ok: false,
      code: "DEVICE_AUTH_ID_MISMATCH",
    });
    expect(
      verifyDeviceBlock(
        { ...p, device: { ...p.device, id: other.deviceId, publicKey: other.publicKey } },
        "nonce-1",
        NOW,
      ),
    ).toEqual({ ok: false, code: "DEVICE_AUTH_SIGNATURE_INVALID" });
    expect(verifyDeviceBlock({ ...p, device: { ...p.device, publicKey: "AAAA" } }, "nonce-1", NOW)).toEqual({
      ok: false,
      code: "DEVICE_AUTH_PUBLIC_KEY_INVALID",
    });
    expect(verifyDeviceBlock({ ...p, device: { ...p.device, nonce: "" } }, "nonce-1", NOW)).toEqual({
      ok: false,
      code: "DEVICE_AUTH_NONCE_REQUIRED",
    });
  });

  it("property: changing any signed field after signing invalidates the signature", () => {
    const p = signed(params());
    const tamper = fc.oneof(
      fc.record({ role: fc.constant("node") }),
      fc.record({
        scopes: fc.array(fc.constantFrom("operator.admin", "operator.write", "operator.pairing"), { minLength: 1 }),
      }),
      fc.record({ auth: fc.record({ token: fc.string({ minLength: 1 }) }) }),
      fc.record({
        client: fc.record({
          id: fc.string({ minLength: 1 }).filter((s) => s !== "cli"),
          mode: fc.constant("cli"),
          platform: fc.constant("Linux"),
        }),
      }),
    );
    fc.assert(
      fc.property(tamper, (change) => {
        const forged = { ...p, ...change, device: p.device } as ConnectParams;
        fc.pre(JSON.stringify(forged) !== JSON.stringify(p));
        expect(verifyDeviceBlock(forged, "nonce-1", NOW)).toEqual({ ok: false, code: "DEVICE_AUTH_SIGNATURE_INVALID" });
      }),
    );
  });

  it("property: a signature with any flipped bit is refused", () => {
    const p = signed(params());
    const sig = Buffer.from(p.device.signature, "base64url");
    fc.assert(
      fc.property(fc.nat({ max: sig.length * 8 - 1 }), (bit) => {
        const bad = Buffer.from(sig);
        bad[bit >> 3] = (bad[bit >> 3] as number) ^ (1 << (bit & 7));
        expect(
          verifyDeviceBlock({ ...p, device: { ...p.device, signature: bad.toString("base64url") } }, "nonce-1", NOW).ok,
        ).toBe(false);
      }),
    );
  });
});
