import { promises as fsp } from "node:fs";
import { HoldfastError } from "../errors/index.js";
import { cliHint, installStateCipher, isSealed } from "../infra/index.js";
import { acquireInstanceLock } from "../store/index.js";
import { newKek, readMeta, writeMeta, type EncryptionMeta } from "./meta.js";
import { runMigration, type MigrationProgress, type MigrationReport } from "./migrate.js";
import { cipherFor, missingKey, ringFor } from "./open.js";
import { ENCRYPTED_STORES, filesInScope, PLAINTEXT_STORES } from "./scope.js";
import { keyringAvailability, resolveKekSecret, type KekSecretOptions } from "./source.js";

/** Inputs of the `holdfast encryption` verbs. */
export interface EncryptionCommandInput extends KekSecretOptions {
  readonly stateDir: string;
  readonly progress?: MigrationProgress;
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

async function secretOrThrow(i: EncryptionCommandInput): Promise<string> {
  const s = await resolveKekSecret(i);
  if (!s) throw missingKey(i.stateDir);
  return s.secret;
}

async function migrateUnder(i: EncryptionCommandInput, meta: EncryptionMeta, secret: string): Promise<MigrationReport> {
  const { ring, problem } = await ringFor(i.stateDir, meta, secret);
  if (problem) throw problem;
  await writeMeta(i.stateDir, meta); // the journal, before any file changes
  installStateCipher(cipherFor(i.stateDir, meta, ring));
  return runMigration(i.stateDir, meta, i.progress);
}

/**
 * `holdfast encryption enable`: seals every file in scope under a new KEK derived from the secret
 * (fresh salt). An interrupted enable is finished by running it again (same key).
 * @throws HoldfastError HF_ENCRYPTION_STATE (already on, another migration pending, gateway running),
 *   HF_ENCRYPTION_KEY_MISSING, HF_ENCRYPTION_KEY_WRONG (resuming with another key)
 */
export function enableEncryption(i: EncryptionCommandInput): Promise<MigrationReport> {
  return locked(i.stateDir, async () => {
    const meta = await readMeta(i.stateDir);
    if (meta && meta.state !== "enabling")
      throw state(
        `encryption at rest is already ${meta.state === "on" ? "on" : `${meta.state} (run that again to finish)`}`,
      );
    const secret = await secretOrThrow({ ...i, confirm: !meta });
    const kek = meta ? meta.kek : (await newKek(secret)).params;
    return migrateUnder(i, { version: 1, state: "enabling", kek, updatedAt: new Date().toISOString() }, secret);
  });
}

/**
 * `holdfast encryption disable`: rewrites every file in plaintext, then removes `encryption.json`.
 * @throws HoldfastError HF_ENCRYPTION_STATE, HF_ENCRYPTION_KEY_MISSING, HF_ENCRYPTION_KEY_WRONG
 */
export function disableEncryption(i: EncryptionCommandInput): Promise<MigrationReport> {
  return locked(i.stateDir, async () => {
    const meta = await readMeta(i.stateDir);
    if (!meta) throw state("encryption at rest is already off");
    if (meta.state === "enabling" || meta.state === "rotating")
      throw state(`an interrupted ${meta.state === "enabling" ? "enable" : "rotate"} is pending; run it again first`);
    const secret = await secretOrThrow(i);
    return migrateUnder(i, { ...meta, state: "disabling", updatedAt: new Date().toISOString() }, secret);
  });
}

/**
 * `holdfast encryption rotate`: a new KEK (same secret, fresh salt, so a new key id) and a fresh data
 * key for every file; until the pass ends both KEKs open files. An interrupted rotate is finished by
 * running it again.
 * @throws HoldfastError HF_ENCRYPTION_STATE, HF_ENCRYPTION_KEY_MISSING, HF_ENCRYPTION_KEY_WRONG
 */
export function rotateEncryption(i: EncryptionCommandInput): Promise<MigrationReport> {
  return locked(i.stateDir, async () => {
    const meta = await readMeta(i.stateDir);
    if (!meta || (meta.state !== "on" && meta.state !== "rotating"))
      throw state(meta ? `encryption at rest is ${meta.state}; finish that first` : "encryption at rest is off");
    const secret = await secretOrThrow(i);
    if (meta.state === "rotating") return migrateUnder(i, meta, secret);
    const kek = (await newKek(secret)).params;
    return migrateUnder(
      i,
      { ...meta, state: "rotating", kek, previous: meta.kek, updatedAt: new Date().toISOString() },
      secret,
    );
  });
}

/** `holdfast encryption status --json`. */
export interface EncryptionStatus {
  readonly state: "off" | EncryptionMeta["state"];
  readonly keyId?: string;
  readonly files: { readonly total: number; readonly sealed: number; readonly plaintext: number };
  readonly covered: typeof ENCRYPTED_STORES;
  readonly notCovered: typeof PLAINTEXT_STORES;
  readonly keyring: { readonly available: boolean; readonly why: string };
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
