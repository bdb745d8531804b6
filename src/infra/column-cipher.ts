import { hkdfSync } from "node:crypto";
import { HoldfastError } from "../errors/index.js";
import { AEAD, openBytes, sealBytes } from "./aead.js";
import { stateCipher } from "./state-cipher.js";

/**
 * Encryption at rest of text columns of the state database (SQLite has no page encryption without
 * SQLCipher, so the columns that hold message text are sealed by the application). A sealed value is
 *
 * ```
 * \u0001hfc1:<KEK id>:<base64 of iv ‖ AES-256-GCM ciphertext ‖ tag>
 * ```
 *
 * under a column key derived from the key-encryption key with HKDF-SHA256 (info `holdfast-db-columns-v1`),
 * the column's name (`runs.message`) as associated data, so a value cannot be moved into another column
 * unnoticed. A new KEK (`encryption rotate`) gives a new column key; the pass rewrites every row. The
 * values are sealed whenever the installed {@link stateCipher} seals (encryption on); plaintext values
 * are read as they are (rows written before `enable`, or a handled update's cleared payload).
 */
const MARK = "\u0001hfc1:";
const INFO = "holdfast-db-columns-v1";
const derived = new WeakMap<Buffer, Buffer>();

function columnKey(kek: Buffer): Buffer {
  let k = derived.get(kek);
  if (!k) {
    k = Buffer.from(hkdfSync("sha256", kek, Buffer.alloc(0), INFO, AEAD.keyBytes));
    derived.set(kek, k);
  }
  return k;
}

const DB = "the state database";

function ringOrThrow() {
  const c = stateCipher();
  if (c.ring) return c.ring;
  throw (
    c.locked?.() ??
    new HoldfastError(
      "HF_ENCRYPTION_KEY_MISSING",
      `${DB} is encrypted at rest and this process has no key for it; set storage.encryption.key (or give the passphrase) and retry`,
    )
  );
}

/** True when `stored` is a sealed column value. */
export function isSealedColumn(stored: string): boolean {
  return stored.startsWith(MARK);
}

/**
 * What to store in `column` (`table.column`) for `text`: sealed under the current KEK when encryption
 * at rest is on, else `text` itself.
 * @throws HoldfastError HF_ENCRYPTION_KEY_MISSING (or the locked reason) when it must seal without a key
 */
export function sealColumn(column: string, text: string): string {
  if (!stateCipher().seal) return text;
  const { current } = ringOrThrow();
  const sealed = sealBytes(columnKey(current.key), Buffer.from(text, "utf8"), Buffer.from(column));
  return `${MARK}${current.id}:${sealed.toString("base64")}`;
}

/**
 * The text of a value read from `column`: opened when sealed, else `stored` as it is.
 * @throws HoldfastError HF_ENCRYPTION_KEY_MISSING (no key), HF_ENCRYPTION_KEY_WRONG (sealed under a key
 *   not in the ring), HF_ENCRYPTION_TAMPERED (does not authenticate)
 */
export function openColumn(column: string, stored: string): string {
  if (!isSealedColumn(stored)) return stored;
  const ring = ringOrThrow();
  const sep = stored.indexOf(":", MARK.length);
  const id = stored.slice(MARK.length, sep);
  const kek = sep > 0 ? ring.byId.get(id) : undefined;
  if (!kek)
    throw new HoldfastError(
      "HF_ENCRYPTION_KEY_WRONG",
      `a value of ${DB} (${column}) is sealed under key ${id}, which is not the key in use (${ring.current.id})`,
      { keyId: id },
    );
  const plain = openBytes(columnKey(kek), Buffer.from(stored.slice(sep + 1), "base64"), Buffer.from(column));
  if (!plain)
    throw new HoldfastError(
      "HF_ENCRYPTION_TAMPERED",
      `a value of ${DB} (${column}) does not authenticate (altered, or moved from another column); it is not read`,
    );
  return plain.toString("utf8");
}

/**
 * `stored` in the format the installed cipher wants (sealed under the current KEK, or plaintext), or
 * `stored` itself when it is in that format already (so a pass rewrites only what changes).
 * @throws HoldfastError as {@link openColumn} and {@link sealColumn}
 */
export function recodeColumn(column: string, stored: string): string {
  const c = stateCipher();
  const sealed = isSealedColumn(stored);
  if (!c.seal && !sealed) return stored;
  if (c.seal && sealed && stored.startsWith(`${MARK}${c.ring?.current.id ?? ""}:`)) return stored;
  return sealColumn(column, openColumn(column, stored));
}
