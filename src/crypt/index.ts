/**
 * Encryption at rest: the state dir's encryption state (`encryption.json`), where the key-encryption
 * key comes from (`storage.encryption.key`, the OS keyring, a passphrase), the scope of files it
 * covers (and the state database's text columns and inbound media), and the crash-safe migrations of `holdfast encryption enable|disable|rotate`. The envelope
 * and the read/write seam every store goes through live in `infra/` (`envelope.ts`,
 * `state-cipher.ts`). Source: issue "Data lifecycle", "Encryption at rest"; docs/data-lifecycle.md.
 */
export { openEncryption, type EncryptionOpened } from "./open.js";
export {
  enableEncryption,
  disableEncryption,
  rotateEncryption,
  encryptionStatus,
  type EncryptionStatus,
  type EncryptionCommandInput,
} from "./commands.js";
export { runMigration, resumeMigration, type MigrationReport, type MigrationProgress } from "./migrate.js";
export { readMeta, META_FILE, type EncryptionMeta } from "./meta.js";
export { encryptionScope, filesInScope, ENCRYPTED_STORES, PLAINTEXT_STORES } from "./scope.js";
export { KEY_CONFIG_PATH, keyringAvailability, resolveKekSecrets, type KekSecret } from "./source.js";
export { OsKeyring, MemoryKeyring, keyringAccount, type Keyring, type KeyringAvailability } from "./keyring.js";
