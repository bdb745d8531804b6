import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  sign,
  verify,
  type KeyObject,
} from "node:crypto";
import type { WireDetailCode } from "../errors/index.js";
import type { ConnectParams } from "../gateway/index.js";

/** Largest accepted distance between a device signature's `signedAt` and the gateway clock (ms; reference §3.4). */
export const DEVICE_SIGNATURE_SKEW_MS = 120_000;

/** A device's Ed25519 identity as a client holds it. */
export interface DeviceIdentity {
  /** Hex SHA-256 of the raw 32-byte public key. */
  readonly deviceId: string;
  /** Raw public key, base64url. */
  readonly publicKey: string;
  /** PKCS#8 PEM private key (keep it private: mode 600). */
  readonly privateKeyPem: string;
}

/** The `device` block of `connect`. */
export type DeviceBlock = {
  readonly id: string;
  readonly publicKey: string;
  readonly signature: string;
  readonly signedAt: number;
  readonly nonce: string;
};

/** Why a device proof was refused (`details.code`) with its wire message (reference §3.4). */
export const PROOF_FAILURES = {
  DEVICE_AUTH_PUBLIC_KEY_INVALID: "device public key invalid",
  DEVICE_AUTH_ID_MISMATCH: "device identity mismatch",
  DEVICE_AUTH_NONCE_REQUIRED: "device nonce required",
  DEVICE_AUTH_NONCE_MISMATCH: "device nonce mismatch",
  DEVICE_AUTH_SIGNATURE_EXPIRED: "device signature expired",
  DEVICE_AUTH_SIGNATURE_INVALID: "device signature invalid",
} as const satisfies Partial<Record<WireDetailCode, string>>;
export type ProofFailure = keyof typeof PROOF_FAILURES;

/** Creates a fresh Ed25519 device identity. */
export function generateDeviceIdentity(): DeviceIdentity {
  const { privateKey } = generateKeyPairSync("ed25519");
  const publicKey = rawPublicKey(privateKey);
  return {
    deviceId: deviceIdOf(Buffer.from(publicKey, "base64url")),
    publicKey,
    privateKeyPem: privateKey.export({ format: "pem", type: "pkcs8" }).toString(),
  };
}

/** Hex SHA-256 of a raw public key: the device id. */
export function deviceIdOf(rawKey: Buffer): string {
  return createHash("sha256").update(rawKey).digest("hex");
}

/**
 * The signed text (UTF-8, `|`-joined; reference §3.4):
 * v2 = `v2|deviceId|clientId|clientMode|role|scopesCsv|signedAtMs|token|nonce`;
 * v3 = the v2 fields after `v3`, then `|platform|deviceFamily` (trimmed, lowercased).
 * `token` is the `auth.token` sent, else the `auth.deviceToken`, else empty.
 */
export function devicePayload(
  version: "v2" | "v3",
  params: ConnectParams,
  device: { id: string; signedAt: number; nonce: string },
): string {
  const fields = [
    version,
    device.id,
    params.client?.id ?? "",
    params.client?.mode ?? "",
    params.role ?? "operator",
    (params.scopes ?? []).join(","),
    String(device.signedAt),
    params.auth?.token ?? params.auth?.deviceToken ?? "",
    device.nonce,
  ];
  if (version === "v3")
    fields.push(
      (params.client?.platform ?? "").trim().toLowerCase(),
      (params.client?.deviceFamily ?? "").trim().toLowerCase(),
    );
  return fields.join("|");
}

/** Signs `params` (everything but `device`) for the challenge `nonce` (v3 payload). */
export function signConnect(
  identity: DeviceIdentity,
  params: ConnectParams,
  nonce: string,
  signedAt: number,
): DeviceBlock {
  const device = { id: identity.deviceId, signedAt, nonce };
  const signature = sign(
    null,
    Buffer.from(devicePayload("v3", params, device), "utf8"),
    createPrivateKey(identity.privateKeyPem),
  ).toString("base64url");
  return { ...device, publicKey: identity.publicKey, signature };
}

/**
 * Verifies the `device` block of `connect` against the challenge nonce, in order: public key is a
 * raw Ed25519 key; id = SHA-256 of it; nonce present and equal to the challenge; `signedAt` within
 * ±{@link DEVICE_SIGNATURE_SKEW_MS} of `now`; the signature verifies over the v3 or v2 payload.
 * A replayed connect fails on the nonce (each connection gets a fresh one).
 */
export function verifyDeviceBlock(
  params: ConnectParams,
  nonce: string,
  now: number,
): { ok: true; deviceId: string; publicKey: string } | { ok: false; code: ProofFailure } {
  const d = params.device;
  if (!d) return { ok: false, code: "DEVICE_AUTH_PUBLIC_KEY_INVALID" };
  const key = publicKeyObject(d.publicKey);
  if (!key) return { ok: false, code: "DEVICE_AUTH_PUBLIC_KEY_INVALID" };
  const raw = Buffer.from(d.publicKey, "base64url");
  if (d.id.toLowerCase() !== deviceIdOf(raw)) return { ok: false, code: "DEVICE_AUTH_ID_MISMATCH" };
  if (!d.nonce) return { ok: false, code: "DEVICE_AUTH_NONCE_REQUIRED" };
  if (d.nonce !== nonce) return { ok: false, code: "DEVICE_AUTH_NONCE_MISMATCH" };
  if (!Number.isFinite(d.signedAt) || Math.abs(now - d.signedAt) > DEVICE_SIGNATURE_SKEW_MS)
    return { ok: false, code: "DEVICE_AUTH_SIGNATURE_EXPIRED" };
  const sig = Buffer.from(d.signature, "base64url");
  const block = { id: d.id, signedAt: d.signedAt, nonce: d.nonce };
  const good =
    sig.length === 64 &&
    (["v3", "v2"] as const).some((v) => verify(null, Buffer.from(devicePayload(v, params, block), "utf8"), key, sig));
  if (!good) return { ok: false, code: "DEVICE_AUTH_SIGNATURE_INVALID" };
  return { ok: true, deviceId: deviceIdOf(raw), publicKey: raw.toString("base64url") };
}

function rawPublicKey(privateKey: KeyObject): string {
  const jwk = createPublicKey(privateKey).export({ format: "jwk" });
  return jwk.x as string;
}

function publicKeyObject(b64: string): KeyObject | undefined {
  const raw = Buffer.from(b64, "base64url");
  if (raw.length !== 32) return undefined;
  try {
    return createPublicKey({ key: { kty: "OKP", crv: "Ed25519", x: raw.toString("base64url") }, format: "jwk" });
  } catch {
    return undefined;
  }
}
