import { promises as fsp } from "node:fs";
import { HoldfastError } from "../errors/index.js";
import { isSealed, newFileKey, openKeyLine, openSealed, sealRecord, sealWhole, type KeyRing } from "./envelope.js";

/**
 * How this process reads and writes state files: the one seam of encryption at rest. Every state
 * store reads through {@link decodeStateFile} (via `readFileIfExists`, `readStateFile`) and writes
 * through {@link encodeStateFile} (via `writeFileAtomic`) or a {@link appendCodec} (transcripts), so
 * no store decides anything about encryption itself. Installed once per process, before any store
 * opens, by whoever knows the state dir's encryption state (the crypt stage, from `encryption.json`).
 */
export interface StateCipher {
  /** Keys that open sealed files; none while locked or off. */
  readonly ring?: KeyRing;
  /** In-scope files are written sealed (encryption on); false: written in plaintext. */
  readonly seal: boolean;
  /**
   * Encryption is on and no migration runs: an in-scope file in plaintext was not written by holdfast
   * (a planted allowlist, say) and is refused, so the key also guards the stores' integrity.
   */
  readonly strict?: boolean;
  /** The files encryption at rest covers (absolute paths). */
  readonly inScope: (file: string) => boolean;
  /** Why no key is there (thrown on a sealed read or an in-scope write without a ring). */
  readonly locked?: () => HoldfastError;
}

const OFF: StateCipher = { seal: false, inScope: () => false };
let current: StateCipher = OFF;

/** Installs `cipher` for this process (`undefined`: back to plaintext, nothing in scope). */
export function installStateCipher(cipher: StateCipher | undefined): void {
  current = cipher ?? OFF;
}

/** The cipher in force. */
export function stateCipher(): StateCipher {
  return current;
}

const noKey = (file: string): HoldfastError =>
  current.locked?.() ??
  new HoldfastError(
    "HF_ENCRYPTION_KEY_MISSING",
    `${file} is encrypted at rest and this process has no key for it; set storage.encryption.key (or give the passphrase) and retry`,
    { path: file },
  );

const plaintextRefused = (file: string): HoldfastError =>
  new HoldfastError(
    "HF_ENCRYPTION_TAMPERED",
    `${file} is in plaintext while encryption at rest is on: holdfast did not write it; it is not read`,
    { path: file },
  );

const wantSealed = (file: string): boolean => current.seal && current.inScope(file);

function ring(file: string): KeyRing {
  if (!current.ring) throw noKey(file);
  return current.ring;
}

/**
 * What to write to `file`: `data` sealed when `file` is in scope and encryption is on, else `data`
 * as it is. Data that is already an envelope is written as it is.
 * @throws HoldfastError HF_ENCRYPTION_KEY_MISSING (or the locked reason) when it must seal without a key
 */
export function encodeStateFile(file: string, data: string | Uint8Array): string | Uint8Array {
  if (!wantSealed(file)) return data;
  const bytes = typeof data === "string" ? Buffer.from(data, "utf8") : data;
  if (isSealed(bytes)) return data;
  return sealWhole(ring(file), bytes);
}

/**
 * The plaintext of `buf`, read from `file`: opened when it is an envelope, else `buf` itself.
 * @throws HoldfastError HF_ENCRYPTION_KEY_MISSING, HF_ENCRYPTION_KEY_WRONG, HF_ENCRYPTION_TAMPERED
 */
export function decodeStateFile(file: string, buf: Buffer): Buffer {
  if (!isSealed(buf)) {
    if (current.strict && buf.length > 0 && current.inScope(file)) throw plaintextRefused(file);
    return buf;
  }
  return openSealed(ring(file), buf, file).plain;
}

/** How lines are appended to one file (see {@link appendCodec}). */
export interface AppendCodec {
  /** Written once before the first line when the file is new (the key line), else "". */
  readonly prefix: string;
  /** The bytes for one JSONL line (`line` ends with `\n`). */
  encode(line: string): string;
}

const PLAIN_APPEND: AppendCodec = { prefix: "", encode: (line) => line };

/**
 * The append codec for `file`, whose first line is `firstLine` (`undefined`: empty or missing file).
 * A file whose format is not the one wanted (plaintext while encryption is on, or the reverse) must
 * be brought into line first with {@link conformFile}; `mismatch` says so.
 */
export function appendCodec(
  file: string,
  firstLine: string | undefined,
): { readonly codec: AppendCodec; readonly mismatch: boolean } {
  const sealed = firstLine !== undefined && isSealed(Buffer.from(firstLine, "latin1"));
  const want = wantSealed(file);
  if (firstLine !== undefined && !sealed && current.strict && current.inScope(file)) throw plaintextRefused(file);
  if (firstLine !== undefined && sealed !== want) return { codec: PLAIN_APPEND, mismatch: true };
  if (!want) return { codec: PLAIN_APPEND, mismatch: false };
  const keys = ring(file);
  const { key, keyLine } =
    firstLine === undefined ? newFileKey(keys) : { key: openKeyLine(keys, firstLine, file), keyLine: "" };
  return { codec: { prefix: keyLine, encode: (line) => sealRecord(key, Buffer.from(line, "utf8")) }, mismatch: false };
}

/**
 * Rewrites `file` in the format the cipher wants (sealed under the current key, or plaintext) when it
 * is not in it already; `write` is the atomic writer (temp, fsync, rename), so a crash leaves the old
 * or the new file, each readable. The file keeps its mode and modification time. Returns what it did.
 * @throws HoldfastError HF_ENCRYPTION_* when the file cannot be opened; HF_STATE_IO
 */
export async function conformFile(
  file: string,
  write: (file: string, data: Uint8Array, mode: number) => Promise<void>,
): Promise<"sealed" | "unsealed" | "resealed" | "kept"> {
  const buf = await fsp.readFile(file);
  const sealed = isSealed(buf);
  const want = wantSealed(file);
  if (!sealed && !want) return "kept";
  const opened = sealed ? openSealed(ring(file), buf, file) : undefined;
  if (opened && want && opened.kekId === current.ring?.current.id) return "kept";
  const plain = opened?.plain ?? buf;
  const st = await fsp.stat(file);
  await write(file, want ? sealWhole(ring(file), plain) : plain, st.mode & 0o777);
  await fsp.utimes(file, st.atime, st.mtime); // retention goes by age (media): the rewrite keeps it
  return !sealed ? "sealed" : want ? "resealed" : "unsealed";
}
