import { randomBytes } from "node:crypto";
import { promises as fsp } from "node:fs";
import { HoldfastError } from "../errors/index.js";
import { cliHint, installStateCipher, isSealed } from "../infra/index.js";
import { acquireInstanceLock } from "../store/index.js";
import { newKek, readMeta, writeMeta, type EncryptionMeta } from "./meta.js";
import { runMigration, type MigrationProgress, type MigrationReport } from "./migrate.js";
import { cipherFor, missingKey, ringFor } from "./open.js";
import { ENCRYPTED_STORES, filesInScope, PLAINTEXT_STORES } from "./scope.js";
import { keyringAccount, type KeyringAvailability } from "./keyring.js";
import {
  defaultKeyring,
  KEY_CONFIG_PATH,
  keyringAvailability,
  resolveKekSecrets,
  type KekSecret,
  type KekSecretOptions,
} from "./source.js";

/** Inputs of the `holdfast encryption` verbs. */
export interface EncryptionCommandInput extends KekSecretOptions {
  readonly stateDir: string;
  readonly progress?: MigrationProgress;
  /**
   * `enable --keyring`: a fresh random secret is stored in the OS keyring and the KEK derived from it;
   * `rotate --keyring`: the same, replacing the keyring's secret once every file is rewritten.
   */
  readonly useKeyring?: boolean;
  /** `rotate --new-key-env VAR`: the new secret (the value of VAR); set it as the key afterwards. */
  readonly newSecret?: string;
}

const state = (msg: string) => new HoldfastError("HF_ENCRYPTION_STATE", msg);

/** Runs `work` holding the instance lock: encryption changes need the gateway stopped (it keeps files open). */
async function locked<T>(stateDir: string, work: () => Promise<T>): Promise<T> {
  let lock;
  try {
    lock = acquireInstanceLock(stateDir);
  } catch (err) {
    if (err instanceof HoldfastError && err.code === "HF_GATEWAY_RUNNING")
      throw state(`the gateway of ${stateDir} is running; stop it (${cliHint("gateway stop")}) and run this again`);
    throw err;
  }
  try {
    return await work();
  } finally {
    lock.release();
  }
}

async function secretsOrThrow(i: EncryptionCommandInput): Promise<KekSecret[]> {
  const s = await resolveKekSecrets(i);
  if (s.length === 0) throw missingKey(i.stateDir, i.unresolved);
  return s;
}

/** A fresh random secret for the keyring, stored in `slot` before anything is sealed under it. */
function newKeyringSecret(i: EncryptionCommandInput, slot: "current" | "next"): KekSecret {
  if (i.configured !== undefined && i.configured !== "")
    throw state(`${KEY_CONFIG_PATH} is set and is used before the keyring; unset it to keep the key in the keyring`);
  const keyring = i.keyring ?? defaultKeyring();
  const a = keyring.availability();
  if (!a.available)
    throw new HoldfastError("HF_ENCRYPTION_KEYRING", `the OS keyring is not available here: ${a.why}`, {});
  const secret = randomBytes(32).toString("base64url");
  keyring.set(keyringAccount(i.stateDir, slot), secret);
  return { secret, source: "keyring" };
}

async function migrateUnder(
  i: EncryptionCommandInput,
  meta: EncryptionMeta,
  secrets: readonly KekSecret[],
): Promise<MigrationReport> {
  const { ring, problem } = await ringFor(i.stateDir, meta, secrets);
  if (problem) throw problem;
  await writeMeta(i.stateDir, meta); // the journal, before any file changes
  installStateCipher(cipherFor(i.stateDir, meta, ring));
  return runMigration(i.stateDir, meta, i.progress);
}

/**
 * The keyring's `next` secret (a rotate's new key) becomes its current one once `meta` is on under a
 * KEK derived from it, so a later rotate never overwrites the key in use.
 */
async function settleKeyring(i: EncryptionCommandInput, meta: EncryptionMeta | undefined): Promise<void> {
  const keyring = i.keyring ?? defaultKeyring();
  if (!meta || meta.state !== "on" || !keyring.availability().available) return;
  const next = keyring.get(keyringAccount(i.stateDir, "next"));
  if (!next || (await ringFor(i.stateDir, meta, [{ secret: next, source: "keyring" }])).problem) return;
  keyring.set(keyringAccount(i.stateDir, "current"), next);
  keyring.delete(keyringAccount(i.stateDir, "next"));
}

/**
 * `holdfast encryption enable [--keyring]`: seals every file in scope, and the state database's text
 * columns, under a new KEK derived from the secret (fresh salt); `--keyring`: from a fresh random
 * secret stored in the OS keyring first. An interrupted enable is finished by running it again.
 * @throws HoldfastError HF_ENCRYPTION_STATE (already on, another migration pending, gateway running),
 *   HF_ENCRYPTION_KEY_MISSING, HF_ENCRYPTION_KEY_WRONG (resuming with another key), HF_ENCRYPTION_KEYRING
 */
export function enableEncryption(i: EncryptionCommandInput): Promise<MigrationReport> {
  return locked(i.stateDir, async () => {
    const meta = await readMeta(i.stateDir);
    if (meta && meta.state !== "enabling")
      throw state(
        `encryption at rest is already ${meta.state === "on" ? "on" : `${meta.state} (run that again to finish)`}`,
      );
    const secrets =
      i.useKeyring && !meta ? [newKeyringSecret(i, "current")] : await secretsOrThrow({ ...i, confirm: !meta });
    const kek = meta ? meta.kek : (await newKek((secrets[0] as KekSecret).secret)).params;
    return migrateUnder(i, { version: 1, state: "enabling", kek, updatedAt: new Date().toISOString() }, secrets);
  });
}

/**
 * `holdfast encryption disable`: rewrites every file and the database's text columns in plaintext,
 * then removes `encryption.json` and the state dir's secrets from the keyring.
 * @throws HoldfastError HF_ENCRYPTION_STATE, HF_ENCRYPTION_KEY_MISSING, HF_ENCRYPTION_KEY_WRONG
 */
export function disableEncryption(i: EncryptionCommandInput): Promise<MigrationReport> {
  return locked(i.stateDir, async () => {
    const meta = await readMeta(i.stateDir);
    if (!meta) throw state("encryption at rest is already off");
    if (meta.state === "enabling" || meta.state === "rotating")
      throw state(`an interrupted ${meta.state === "enabling" ? "enable" : "rotate"} is pending; run it again first`);
    const secrets = await secretsOrThrow(i);
    const r = await migrateUnder(i, { ...meta, state: "disabling", updatedAt: new Date().toISOString() }, secrets);
    const keyring = i.keyring ?? defaultKeyring();
    if (secrets.some((s) => s.source === "keyring"))
      for (const slot of ["current", "next"] as const) keyring.delete(keyringAccount(i.stateDir, slot));
    return r;
  });
}

/**
 * `holdfast encryption rotate [--new-key-env VAR | --keyring]`: a new KEK (fresh salt, so a new key
 * id; from the new secret when one is given, else the same secret) and a fresh data key for every
 * file and the database's column key; until the pass ends both KEKs open files. `--keyring`: the new
 * secret is random, kept in the keyring beside the old one until the pass ends. An interrupted rotate
 * is finished by running it again (with the same options).
 * @throws HoldfastError HF_ENCRYPTION_STATE, HF_ENCRYPTION_KEY_MISSING, HF_ENCRYPTION_KEY_WRONG,
 *   HF_ENCRYPTION_KEYRING
 */
export function rotateEncryption(i: EncryptionCommandInput): Promise<MigrationReport> {
  return locked(i.stateDir, async () => {
    const meta = await readMeta(i.stateDir);
    if (!meta || (meta.state !== "on" && meta.state !== "rotating"))
      throw state(meta ? `encryption at rest is ${meta.state}; finish that first` : "encryption at rest is off");
    await settleKeyring(i, meta);
    const secrets = await secretsOrThrow(i);
    const given: KekSecret[] = i.newSecret ? [{ secret: i.newSecret, source: "new key" }] : [];
    if (meta.state === "rotating") return finishRotate(i, meta, [...given, ...secrets]);
    const { problem } = await ringFor(i.stateDir, meta, secrets); // the old key first: nothing changes without it
    if (problem) throw problem;
    const next = i.useKeyring ? newKeyringSecret({ ...i, configured: undefined }, "next") : (given[0] ?? secrets[0]);
    const kek = (await newKek((next as KekSecret).secret)).params;
    const rotating = {
      ...meta,
      state: "rotating" as const,
      kek,
      previous: meta.kek,
      updatedAt: new Date().toISOString(),
    };
    return finishRotate(i, rotating, [next as KekSecret, ...secrets]);
  });
}

async function finishRotate(
  i: EncryptionCommandInput,
  meta: EncryptionMeta,
  secrets: readonly KekSecret[],
): Promise<MigrationReport> {
  const r = await migrateUnder(i, meta, secrets);
  await settleKeyring(i, await readMeta(i.stateDir));
  return r;
}

/** `holdfast encryption status --json`. */
export interface EncryptionStatus {
  readonly state: "off" | EncryptionMeta["state"];
  readonly keyId?: string;
  readonly files: { readonly total: number; readonly sealed: number; readonly plaintext: number };
  readonly covered: typeof ENCRYPTED_STORES;
  readonly notCovered: typeof PLAINTEXT_STORES;
  readonly keyring: KeyringAvailability;
}

/** The encryption state of `stateDir` and how many files in scope are sealed (reads headers only, no key needed). */
export async function encryptionStatus(stateDir: string): Promise<EncryptionStatus> {
  const meta = await readMeta(stateDir);
  const files = await filesInScope(stateDir);
  let sealed = 0;
  for (const f of files) {
    const fh = await fsp.open(f, "r").catch(() => undefined);
    if (!fh) continue;
    const buf = Buffer.alloc(16);
    const { bytesRead } = await fh.read(buf, 0, 16, 0).finally(() => fh.close());
    if (isSealed(buf.subarray(0, bytesRead))) sealed++;
  }
  return {
    state: meta?.state ?? "off",
    ...(meta ? { keyId: meta.kek.id } : {}),
    files: { total: files.length, sealed, plaintext: files.length - sealed },
    covered: ENCRYPTED_STORES,
    notCovered: PLAINTEXT_STORES,
    keyring: keyringAvailability(),
  };
}
