import { randomBytes } from "node:crypto";
import { HoldfastError } from "../errors/index.js";
import { AEAD, openBytes, sealBytes } from "./aead.js";

/**
 * The envelope of a file encrypted at rest. One line-oriented format for every file, so an encrypted
 * transcript stays appendable and line-repairable like a plaintext one:
 *
 * ```
 * {"hfenc":1,"kek":"<key id>","fid":"<16 random bytes, base64>","dek":"<wrapped data key, base64>"}
 * {"hfe":"<base64 of iv ‖ AES-256-GCM ciphertext ‖ tag>"}
 * {"hfe":"..."}
 * ```
 *
 * The first line carries the file's own random 256-bit data key, sealed under the key-encryption key
 * (KEK) named by `kek` with the rest of the line as associated data. Each following line is one record
 * sealed under the data key with the file id as associated data: a record cannot be changed or moved
 * into another file unnoticed. The plaintext is the concatenation of the records (a JSON store is one
 * record; a transcript one record per appended line). Whole records removed or reordered inside one
 * file are not detected here (the security trail is the tamper-evident log); an incomplete last line
 * (a torn append) is ignored, as in a plaintext JSONL file.
 */
const KEY_LINE_PREFIX = Buffer.from('{"hfenc":');
const KEY_LINE_V1 = '{"hfenc":1,';
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/** Key-encryption keys by id: `current` seals, every key in `byId` opens. */
export interface KeyRing {
  readonly current: { readonly id: string; readonly key: Buffer };
  readonly byId: ReadonlyMap<string, Buffer>;
}

/** An encrypted file's data key, ready to seal more records onto it. */
export interface FileKey {
  readonly dek: Buffer;
  readonly fid: Buffer;
}

interface KeyLine {
  readonly hfenc: 1;
  readonly kek: string;
  readonly fid: string;
  readonly dek: string;
}

/** True when `buf` starts with an envelope key line. */
export function isSealed(buf: Uint8Array): boolean {
  return (
    buf.length >= KEY_LINE_PREFIX.length && Buffer.from(buf).subarray(0, KEY_LINE_PREFIX.length).equals(KEY_LINE_PREFIX)
  );
}

const wrapAad = (kek: string, fid: string) => Buffer.from(`hfenc:1:${kek}:${fid}`);

/** A fresh data key for a new file and its key line (ends with `\n`). */
export function newFileKey(ring: KeyRing): { readonly key: FileKey; readonly keyLine: string } {
  const dek = randomBytes(AEAD.keyBytes);
  const fid = randomBytes(16);
  const f = fid.toString("base64");
  const wrapped = sealBytes(ring.current.key, dek, wrapAad(ring.current.id, f)).toString("base64");
  const line: KeyLine = { hfenc: 1, kek: ring.current.id, fid: f, dek: wrapped };
  return { key: { dek, fid }, keyLine: `${JSON.stringify(line)}\n` };
}

/** One record line (ends with `\n`) sealing `plain` under the file's data key. */
export function sealRecord(key: FileKey, plain: Uint8Array): string {
  return `{"hfe":"${sealBytes(key.dek, plain, key.fid).toString("base64")}"}\n`;
}

/** A whole file's envelope: key line and one record. */
export function sealWhole(ring: KeyRing, plain: Uint8Array): Buffer {
  const { key, keyLine } = newFileKey(ring);
  return Buffer.from(keyLine + sealRecord(key, plain));
}

const tampered = (file: string, what: string) =>
  new HoldfastError(
    "HF_ENCRYPTION_TAMPERED",
    `${file}: ${what} does not authenticate (the file was altered, cut, or sealed under another key); it is not read`,
    { path: file },
  );

/**
 * Unwraps the data key of an envelope whose key line is `line`.
 * @throws HoldfastError HF_ENCRYPTION_KEY_WRONG when no key of `ring` has the line's key id;
 *   HF_ENCRYPTION_TAMPERED when the line is malformed or does not authenticate.
 */
export function openKeyLine(ring: KeyRing, line: string, file: string): FileKey {
  let k: KeyLine;
  try {
    k = JSON.parse(line) as KeyLine;
  } catch {
    throw tampered(file, "the key line");
  }
  if (
    !line.startsWith(KEY_LINE_V1) ||
    typeof k.kek !== "string" ||
    typeof k.fid !== "string" ||
    typeof k.dek !== "string" ||
    !BASE64.test(k.fid) ||
    !BASE64.test(k.dek)
  )
    throw tampered(file, "the key line");
  const kek = ring.byId.get(k.kek);
  if (!kek)
    throw new HoldfastError(
      "HF_ENCRYPTION_KEY_WRONG",
      `${file} is sealed under key ${k.kek}, which is not the key in use (${ring.current.id})`,
      { path: file, keyId: k.kek },
    );
  const dek = openBytes(kek, Buffer.from(k.dek, "base64"), wrapAad(k.kek, k.fid));
  if (!dek || dek.length !== AEAD.keyBytes) throw tampered(file, "the data key");
  return { dek, fid: Buffer.from(k.fid, "base64") };
}

/**
 * The plaintext of an envelope, plus its data key (to append to it) and the key id it is sealed under.
 * @throws HoldfastError HF_ENCRYPTION_KEY_WRONG, HF_ENCRYPTION_TAMPERED (the first record that fails)
 */
export function openSealed(
  ring: KeyRing,
  buf: Uint8Array,
  file: string,
): { readonly plain: Buffer; readonly key: FileKey; readonly kekId: string } {
  const text = Buffer.from(buf).toString("latin1");
  const lines = text.split("\n");
  const key = openKeyLine(ring, lines[0] ?? "", file);
  const kekId = (JSON.parse(lines[0] ?? "{}") as KeyLine).kek;
  const parts: Buffer[] = [];
  // The last element is "" after a final newline, or a torn record: ignored either way.
  for (let i = 1; i < lines.length - 1; i++) {
    const line = lines[i] as string;
    if (line === "") continue;
    const m = /^\{"hfe":"([A-Za-z0-9+/]+={0,2})"\}$/.exec(line);
    const plain = m ? openBytes(key.dek, Buffer.from(m[1] as string, "base64"), key.fid) : undefined;
    if (!plain) throw tampered(file, `record ${i}`);
    parts.push(plain);
  }
  return { plain: Buffer.concat(parts), key, kekId };
}
