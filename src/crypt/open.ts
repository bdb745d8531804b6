import path from "node:path";
import { HoldfastError } from "../errors/index.js";
import { cliHint, installStateCipher, type KeyRing, type StateCipher } from "../infra/index.js";
import { deriveKek, META_FILE, readMeta, type EncryptionMeta, type KekParams } from "./meta.js";
import { encryptionScope } from "./scope.js";
import { KEY_CONFIG_PATH, resolveKekSecrets, type KekSecret, type KekSecretOptions } from "./source.js";

/** What {@link openEncryption} found and installed. */
export interface EncryptionOpened {
  readonly meta?: EncryptionMeta;
  /** The key ring in force (encryption on and the key right). */
  readonly ring?: KeyRing;
  readonly source?: KekSecret["source"];
  /** Why the state dir stays locked (encryption on, key missing or wrong); nothing is read or written then. */
  readonly problem?: HoldfastError;
}

/** No key at hand for an encrypted state dir; `unresolved`: why {@link KEY_CONFIG_PATH} gave none. */
export const missingKey = (stateDir: string, unresolved?: string): HoldfastError =>
  new HoldfastError(
    "HF_ENCRYPTION_KEY_MISSING",
    `${path.join(stateDir, META_FILE)}: this state dir is encrypted at rest and no key was found${unresolved ? ` (${unresolved})` : ""}. Set ${KEY_CONFIG_PATH} to the SecretRef of the key (e.g. ${cliHint(`config set ${KEY_CONFIG_PATH}.source env`)} with its provider and id) and make it resolve, keep the key in the OS keyring, or start in a terminal to type the passphrase. Nothing was read or written.`,
    { path: stateDir },
  );

const wrongKey = (stateDir: string, id: string): HoldfastError =>
  new HoldfastError(
    "HF_ENCRYPTION_KEY_WRONG",
    `the key given does not open this state dir (it is encrypted under key ${id}; see ${path.join(stateDir, META_FILE)}); nothing was read or written`,
    { path: stateDir, keyId: id },
  );

const oldKeyMissing = (stateDir: string, id: string): HoldfastError =>
  new HoldfastError(
    "HF_ENCRYPTION_KEY_WRONG",
    `an interrupted rotate of ${stateDir} to a new key needs the old key too (files not rewritten yet are sealed under key ${id}): run ${cliHint("encryption rotate --new-key-env <VAR>")} again with the old key as ${KEY_CONFIG_PATH}; nothing was read or written`,
    { path: stateDir, keyId: id },
  );

/** The KEK of `params` from the first of `secrets` it derives from (`undefined`: none does). */
async function kekFrom(params: KekParams, secrets: readonly KekSecret[]): Promise<Buffer | undefined> {
  for (const s of secrets) {
    const k = await deriveKek(s.secret, params);
    if (k.ok) return k.key;
  }
  return undefined;
}

/**
 * Builds the key ring of `meta` from whichever of `secrets` each of its KEKs derives from (while a
 * rotate to a new secret runs, the current KEK comes from the new one and the previous from the old),
 * or the error saying why it cannot.
 */
export async function ringFor(
  stateDir: string,
  meta: EncryptionMeta,
  secrets: readonly KekSecret[],
): Promise<{ ring?: KeyRing; problem?: HoldfastError }> {
  const keys: [KekParams, Buffer][] = [];
  for (const params of [meta.kek, ...(meta.previous ? [meta.previous] : [])]) {
    const key = await kekFrom(params, secrets);
    if (!key)
      return { problem: params === meta.kek ? wrongKey(stateDir, params.id) : oldKeyMissing(stateDir, params.id) };
    keys.push([params, key]);
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
  const secrets = await resolveKekSecrets({ ...o, stateDir });
  const { ring, problem } =
    secrets.length > 0 ? await ringFor(stateDir, meta, secrets) : { problem: missingKey(stateDir, o.unresolved) };
  if (problem) {
    installStateCipher({ seal: true, inScope: encryptionScope(stateDir), locked: () => problem });
    if (o.strict) throw problem;
    return { meta, problem };
  }
  installStateCipher(cipherFor(stateDir, meta, ring));
  return { meta, ...(ring ? { ring } : {}), ...(secrets[0] ? { source: secrets[0].source } : {}) };
}
