import { isCancel, password } from "@clack/prompts";
import { keyringAccount, OsKeyring, type Keyring, type KeyringAvailability } from "./keyring.js";

/** The config key holding the key-encryption secret (a SecretRef: env, file or exec; or a string). */
export const KEY_CONFIG_PATH = "storage.encryption.key";

/** Where a key-encryption secret came from. */
export type KekSource = "storage.encryption.key" | "keyring" | "passphrase" | "new key";

/** A secret a KEK may be derived from, and its source. */
export interface KekSecret {
  readonly secret: string;
  readonly source: KekSource;
}

let osKeyring: Keyring | undefined;

/** The process's OS keyring (`@napi-rs/keyring`), created on first use. */
export function defaultKeyring(): Keyring {
  osKeyring ??= new OsKeyring();
  return osKeyring;
}

/** Whether the OS keyring can hold the secret here (`encryption status`, the audit). */
export function keyringAvailability(keyring: Keyring = defaultKeyring()): KeyringAvailability {
  return keyring.availability();
}

/** How {@link resolveKekSecrets} may obtain the secret. */
export interface KekSecretOptions {
  /** The resolved value of {@link KEY_CONFIG_PATH}, if set. */
  readonly configured?: string;
  /** Why {@link KEY_CONFIG_PATH} is set and did not resolve (named when no key is found). */
  readonly unresolved?: string;
  /** Ask on the terminal when nothing else gives a key (only when stdin and stdout are TTYs). */
  readonly prompt?: boolean;
  /** `enable`: a new passphrase is asked twice. */
  readonly confirm?: boolean;
  /** The OS keyring (default {@link defaultKeyring}); the state dir's account is looked up when given. */
  readonly keyring?: Keyring;
  readonly stateDir?: string;
}

/** The state dir's secrets in the keyring: the current one, and one a rotate is moving to. */
function fromKeyring(o: KekSecretOptions): KekSecret[] {
  const keyring = o.keyring ?? defaultKeyring();
  if (o.stateDir === undefined || !keyring.availability().available) return [];
  const out: KekSecret[] = [];
  for (const slot of ["current", "next"] as const) {
    try {
      const secret = keyring.get(keyringAccount(o.stateDir, slot));
      if (secret) out.push({ secret, source: "keyring" });
    } catch {
      // A keyring that refuses (locked, no daemon) gives no key; the next source is tried.
    }
  }
  return out;
}

/**
 * The key-encryption secrets at hand, in order: {@link KEY_CONFIG_PATH}; the OS keyring (the state
 * dir's account, where a keyring is available); else a passphrase typed at the terminal. Empty when
 * there is none. A KEK is derived from whichever of them matches its key id.
 */
export async function resolveKekSecrets(o: KekSecretOptions): Promise<KekSecret[]> {
  const found: KekSecret[] = [];
  if (o.configured !== undefined && o.configured !== "")
    found.push({ secret: o.configured, source: "storage.encryption.key" });
  found.push(...fromKeyring(o));
  if (found.length > 0 || !o.prompt || !process.stdin.isTTY || !process.stdout.isTTY) return found;
  const first = await password({ message: "holdfast encryption passphrase" });
  if (isCancel(first) || first === "") return [];
  if (o.confirm) {
    const again = await password({ message: "the same passphrase again" });
    if (isCancel(again) || again !== first) return [];
  }
  return [{ secret: first, source: "passphrase" }];
}
