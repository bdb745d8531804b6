import { isCancel, password } from "@clack/prompts";

/** The config key holding the key-encryption secret (a SecretRef: env, file or exec; or a string). */
export const KEY_CONFIG_PATH = "storage.encryption.key";

/** Where the key-encryption secret came from. */
export type KekSource = "storage.encryption.key" | "passphrase";

/** The secret the KEK is derived from, and its source. */
export interface KekSecret {
  readonly secret: string;
  readonly source: KekSource;
}

/**
 * Whether an OS keyring can hold the secret. holdfast has no keyring backend (the Secret Service on
 * Linux needs a D-Bus session and a keyring daemon; macOS Keychain is not wired up either), so this
 * says so and the next source is used.
 */
export function keyringAvailability(): { readonly available: false; readonly why: string } {
  return {
    available: false,
    why: `no OS keyring is used on ${process.platform}: set ${KEY_CONFIG_PATH} (an env or file SecretRef) or give a passphrase`,
  };
}

/** How {@link resolveKekSecret} may obtain the secret. */
export interface KekSecretOptions {
  /** The resolved value of {@link KEY_CONFIG_PATH}, if set. */
  readonly configured?: string;
  /** Ask on the terminal when nothing is configured (only when stdin and stdout are TTYs). */
  readonly prompt?: boolean;
  /** `enable`: a new passphrase is asked twice. */
  readonly confirm?: boolean;
}

/**
 * The key-encryption secret, in order: {@link KEY_CONFIG_PATH}, the OS keyring (none, see
 * {@link keyringAvailability}), a passphrase typed at the terminal. `undefined` when none is there.
 */
export async function resolveKekSecret(o: KekSecretOptions): Promise<KekSecret | undefined> {
  if (o.configured !== undefined && o.configured !== "")
    return { secret: o.configured, source: "storage.encryption.key" };
  if (!o.prompt || !process.stdin.isTTY || !process.stdout.isTTY) return undefined;
  const first = await password({ message: "holdfast encryption passphrase" });
  if (isCancel(first) || first === "") return undefined;
  if (o.confirm) {
    const again = await password({ message: "the same passphrase again" });
    if (isCancel(again) || again !== first) return undefined;
  }
  return { secret: first, source: "passphrase" };
}
