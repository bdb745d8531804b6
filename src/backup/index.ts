/**
 * Backup and restore of a state dir (`holdfast backup create|verify|restore`): one gzipped tar with a
 * manifest of checksums, the state database as an online snapshot, optional passphrase encryption
 * (scrypt + AES-256-GCM). Source: seeds "Backup & Recovery"; issue "Data lifecycle and privacy".
 */
export { createBackup, openBackup, type BackupManifest, type BackupSource } from "./archive.js";
export { restoreBackup, type RestoreReport } from "./restore.js";
export { ENCRYPTED_MAGIC } from "./crypto.js";
