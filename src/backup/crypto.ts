import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import { createReadStream, createWriteStream, promises as fsp } from "node:fs";
import { pipeline } from "node:stream/promises";
import { HoldfastError } from "../errors/index.js";
import { AEAD, SCRYPT_PARAMS, scryptKey, STATE_FILE_MODE } from "../infra/index.js";

/** First line of an encrypted backup; the JSON header line after it is authenticated with the data. */
export const ENCRYPTED_MAGIC = "HOLDFAST-BACKUP-ENCRYPTED-1\n";
const TAG_BYTES = AEAD.tagBytes;

interface Header {
  readonly cipher: "aes-256-gcm";
  readonly kdf: "scrypt";
  readonly N: number;
  readonly r: number;
  readonly p: number;
  readonly salt: string;
  readonly iv: string;
}

/** True when `file` starts with {@link ENCRYPTED_MAGIC}. */
export async function isEncrypted(file: string): Promise<boolean> {
  const fh = await fsp.open(file, "r");
  try {
    const buf = Buffer.alloc(ENCRYPTED_MAGIC.length);
    await fh.read(buf, 0, buf.length, 0);
    return buf.toString("latin1") === ENCRYPTED_MAGIC;
  } finally {
    await fh.close();
  }
}

/**
 * Encrypts `src` into `dest` (mode 600): magic line, JSON header line (scrypt parameters, salt, IV),
 * AES-256-GCM ciphertext, 16-byte tag. The key comes from the passphrase through scrypt (N=2^15,
 * r=8, p=1); the header is additional authenticated data, so no parameter can be swapped unnoticed.
 */
export async function encryptFile(src: string, dest: string, passphrase: string): Promise<void> {
  const salt = randomBytes(16);
  const iv = randomBytes(AEAD.ivBytes);
  const header: Header = {
    cipher: "aes-256-gcm",
    kdf: "scrypt",
    ...SCRYPT_PARAMS,
    salt: salt.toString("base64"),
    iv: iv.toString("base64"),
  };
  const head = Buffer.from(`${ENCRYPTED_MAGIC}${JSON.stringify(header)}\n`);
  const cipher = createCipheriv("aes-256-gcm", await scryptKey(passphrase, salt), iv);
  cipher.setAAD(head);
  await fsp.writeFile(dest, head, { mode: STATE_FILE_MODE });
  await pipeline(createReadStream(src), cipher, createWriteStream(dest, { flags: "a" }));
  await fsp.appendFile(dest, cipher.getAuthTag());
}

const invalid = (file: string, why: string) =>
  new HoldfastError("HF_BACKUP_INVALID", `${file} is not a readable holdfast backup: ${why}`, { path: file });

/**
 * Decrypts a file written by {@link encryptFile} into `dest` (mode 600). The tag is checked at the
 * end: on any change to the file, or a wrong passphrase, `dest` is removed and nothing is returned.
 * @throws HoldfastError HF_BACKUP_PASSPHRASE (wrong passphrase or altered archive), HF_BACKUP_INVALID
 */
export async function decryptFile(src: string, dest: string, passphrase: string): Promise<void> {
  const fh = await fsp.open(src, "r");
  let header: Header;
  let headLen: number;
  let size: number;
  let tag: Buffer;
  try {
    size = (await fh.stat()).size;
    const first = Buffer.alloc(Math.min(size, 4096));
    await fh.read(first, 0, first.length, 0);
    const end = first.indexOf(10, ENCRYPTED_MAGIC.length);
    if (end < 0) throw invalid(src, "no header");
    headLen = end + 1;
    try {
      header = JSON.parse(first.subarray(ENCRYPTED_MAGIC.length, end).toString("utf8")) as Header;
    } catch {
      throw invalid(src, "the header is not JSON");
    }
    if (header.cipher !== "aes-256-gcm" || header.kdf !== "scrypt" || size < headLen + TAG_BYTES)
      throw invalid(src, "unknown cipher or truncated");
    tag = Buffer.alloc(TAG_BYTES);
    await fh.read(tag, 0, TAG_BYTES, size - TAG_BYTES);
    const key = await scryptKey(passphrase, Buffer.from(header.salt, "base64"), header);
    const decipher = createDecipheriv("aes-256-gcm", key, Buffer.from(header.iv, "base64"));
    decipher.setAAD(first.subarray(0, headLen));
    decipher.setAuthTag(tag);
    try {
      const body = size - TAG_BYTES - headLen;
      const input = body > 0 ? createReadStream(src, { start: headLen, end: size - TAG_BYTES - 1 }) : [];
      await pipeline(input, decipher, createWriteStream(dest, { mode: STATE_FILE_MODE }));
    } catch {
      await fsp.rm(dest, { force: true });
      throw new HoldfastError(
        "HF_BACKUP_PASSPHRASE",
        `the passphrase does not open ${src}, or the archive was altered (authentication failed)`,
        { path: src },
      );
    }
  } finally {
    await fh.close();
  }
}
