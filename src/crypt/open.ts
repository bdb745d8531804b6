import path from "node:path";
import { HoldfastError } from "../errors/index.js";
import { cliHint, installStateCipher, type KeyRing, type StateCipher } from "../infra/index.js";
import { deriveKek, META_FILE, readMeta, type EncryptionMeta, type KekParams } from "./meta.js";
import { encryptionScope } from "./scope.js";
import { KEY_CONFIG_PATH, resolveKekSecret, type KekSecret, type KekSecretOptions } from "./source.js";

/** What {@link openEncryption} found and installed. */
export interface EncryptionOpened {
  readonly meta?: EncryptionMeta;
  /** The key ring in force (encryption on and the key right). */
  readonly ring?: KeyRing;
  readonly source?: KekSecret["source"];
  /** Why the state dir stays locked (encryption on, key missing or wrong); nothing is read or written then. */
  readonly problem?: HoldfastError;
}

export const missingKey = (stateDir: string): HoldfastError =>
  new HoldfastError(
    "HF_ENCRYPTION_KEY_MISSING",
    `${path.join(stateDir, META_FILE)}: this state dir is encrypted at rest and no key was given. Set ${KEY_CONFIG_PATH} to the SecretRef of the key (e.g. ${cliHint(`config set ${KEY_CONFIG_PATH}.source env`)} with its provider and id), or start in a terminal to type the passphrase.`,
    { path: stateDir },
  );

const wrongKey = (stateDir: string, id: string): HoldfastError =>
  new HoldfastError(
    "HF_ENCRYPTION_KEY_WRONG",
    `the key given does not open this state dir (it is encrypted under key ${id}; see ${path.join(stateDir, META_FILE)}); nothing was read or written`,
    { path: stateDir, keyId: id },
  );

/** Builds the key ring of `meta` from `secret`, or the error saying why it cannot. */
export async function ringFor(
  stateDir: string,
  meta: EncryptionMeta,
  secret: string,
): Promise<{ ring?: KeyRing; problem?: HoldfastError }> {
  const keys: [KekParams, Buffer][] = [];
  for (const params of [meta.kek, ...(meta.previous ? [meta.previous] : [])]) {
    const k = await deriveKek(secret, params);
    if (!k.ok) return { problem: wrongKey(stateDir, params.id) };
    keys.push([params, k.key]);
  }
  const [first] = keys as [[KekParams, Buffer]];
  return { ring: { current: { id: first[0].id, key: first[1] }, byId: new Map(keys.map(([p, k]) => [p.id, k])) } };
}

/** The cipher for `meta` with `ring`: seals unless the state dir is being decrypted. */
export function cipherFor(stateDir: string, meta: EncryptionMeta | undefined, ring: KeyRing | undefined): StateCipher {
  const inScope = encryptionScope(stateDir);
  if (!meta) return ring ? { ring, seal: false, inScope } : { seal: false, inScope };
  return { ...(ring ? { ring } : {}), seal: meta.state !== "disabling", strict: meta.state === "on", inScope };
}

/**
 * Reads the state dir's encryption state, derives its key and installs the process's state cipher
 * (`infra/state-cipher.ts`) before any store is opened. Without the right key the cipher is locked:
 * every read of a sealed file and every write a store would seal fails with the reason, so nothing is
 * ever written in plaintext while encryption is on. `strict` (the gateway) throws the reason instead.
 * @throws HoldfastError HF_ENCRYPTION_KEY_MISSING, HF_ENCRYPTION_KEY_WRONG (strict only); HF_STATE_CORRUPT
 */
export async function openEncryption(
  stateDir: string,
  o: KekSecretOptions & { readonly strict?: boolean },
): Promise<EncryptionOpened> {
  const meta = await readMeta(stateDir);
  if (!meta) {
    installStateCipher(cipherFor(stateDir, undefined, undefined));
    return {};
  }
  const secret = await resolveKekSecret(o);
  const { ring, problem } = secret ? await ringFor(stateDir, meta, secret.secret) : { problem: missingKey(stateDir) };
  if (problem) {
    installStateCipher({ seal: true, inScope: encryptionScope(stateDir), locked: () => problem });
    if (o.strict) throw problem;
    return { meta, problem };
  }
  installStateCipher(cipherFor(stateDir, meta, ring));
  return { meta, ...(ring ? { ring } : {}), ...(secret ? { source: secret.source } : {}) };
}
