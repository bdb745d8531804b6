import { createCipheriv, createDecipheriv, createHmac, randomBytes, scrypt } from "node:crypto";

/** AES-256-GCM sizes (bytes): key, IV (the 96-bit nonce GCM is made for) and authentication tag. */
export const AEAD = { keyBytes: 32, ivBytes: 12, tagBytes: 16 } as const;

/** scrypt cost parameters of every key holdfast derives from a passphrase (2^15 × 8 × 1: ~32 MiB, ~0.1 s). */
export interface ScryptParams {
  readonly N: number;
  readonly r: number;
  readonly p: number;
}

/** The scrypt parameters holdfast writes (backups, encryption at rest); readers take them from the header. */
export const SCRYPT_PARAMS: ScryptParams = { N: 2 ** 15, r: 8, p: 1 };

/**
 * Derives a 32-byte key from `passphrase` with scrypt (`salt` random, ≥ 16 bytes, stored beside what
 * the key protects). Rejects with node's error on parameters outside its limits.
 */
export function scryptKey(passphrase: string, salt: Buffer, params: ScryptParams = SCRYPT_PARAMS): Promise<Buffer> {
  const { N, r, p } = params;
  return new Promise((resolve, reject) =>
    scrypt(passphrase, salt, AEAD.keyBytes, { N, r, p, maxmem: 256 * N * r + 1024 * 1024 }, (err, key) =>
      err ? reject(err) : resolve(key),
    ),
  );
}

/**
 * AES-256-GCM in one piece: returns `iv ‖ ciphertext ‖ tag` with a fresh random IV. `aad` is
 * authenticated, not encrypted (a header, a file id), so what it binds cannot be swapped unnoticed.
 */
export function sealBytes(key: Buffer, plain: Uint8Array, aad: Uint8Array): Buffer {
  const iv = randomBytes(AEAD.ivBytes);
  const cipher = createCipheriv("aes-256-gcm", key, iv);
  cipher.setAAD(aad);
  const body = Buffer.concat([cipher.update(plain), cipher.final()]);
  return Buffer.concat([iv, body, cipher.getAuthTag()]);
}

/**
 * Opens what {@link sealBytes} returned. `undefined` (never a partial plaintext) when the key is
 * wrong, `aad` differs, or any byte was changed, cut or added.
 */
export function openBytes(key: Buffer, sealed: Uint8Array, aad: Uint8Array): Buffer | undefined {
  if (sealed.length < AEAD.ivBytes + AEAD.tagBytes) return undefined;
  const buf = Buffer.from(sealed.buffer, sealed.byteOffset, sealed.length);
  try {
    const decipher = createDecipheriv("aes-256-gcm", key, buf.subarray(0, AEAD.ivBytes));
    decipher.setAAD(aad);
    decipher.setAuthTag(buf.subarray(buf.length - AEAD.tagBytes));
    return Buffer.concat([decipher.update(buf.subarray(AEAD.ivBytes, buf.length - AEAD.tagBytes)), decipher.final()]);
  } catch {
    return undefined;
  }
}

/**
 * A short public name of a key (16 hex chars of HMAC-SHA256(key, label)): tells which key sealed a file
 * and whether a key is the right one, without revealing anything usable about the key.
 */
export function keyId(key: Buffer, label: string): string {
  return createHmac("sha256", key).update(label).digest("hex").slice(0, 16);
}
