import { createRequire } from "node:module";
import path from "node:path";
import { HoldfastError } from "../errors/index.js";

/** Whether an OS keyring can be used here, and why not. */
export interface KeyringAvailability {
  readonly available: boolean;
  readonly why: string;
}

/**
 * An OS keyring holding key-encryption secrets (the Secret Service on Linux, the macOS Keychain, the
 * Windows Credential Manager), by account name. Service name `holdfast`.
 */
export interface Keyring {
  availability(): KeyringAvailability;
  /** The secret of `account`, `undefined` when none is stored. @throws HoldfastError HF_ENCRYPTION_KEYRING */
  get(account: string): string | undefined;
  /** Stores `secret` for `account` (replacing one). @throws HoldfastError HF_ENCRYPTION_KEYRING */
  set(account: string, secret: string): void;
  /** Removes `account`'s secret (none stored: nothing happens). @throws HoldfastError HF_ENCRYPTION_KEYRING */
  delete(account: string): void;
}

/** The keyring account of a state dir's key: its absolute path (not a secret). */
export const keyringAccount = (stateDir: string, slot: "current" | "next" = "current"): string =>
  `encryption-at-rest:${path.resolve(stateDir)}${slot === "next" ? ":next" : ""}`;

const SERVICE = "holdfast";

interface EntryLike {
  getPassword(): string | null | undefined;
  setPassword(secret: string): void;
  deletePassword(): boolean;
}
type EntryCtor = new (service: string, account: string) => EntryLike;

const unavailable = (why: string, cause?: unknown): HoldfastError =>
  new HoldfastError(
    "HF_ENCRYPTION_KEYRING",
    `the OS keyring cannot be used here: ${why}. On Linux it needs a Secret Service (gnome-keyring, KWallet) on a D-Bus session; otherwise set storage.encryption.key to a SecretRef`,
    {},
    cause === undefined ? undefined : { cause },
  );

/** The OS keyring through `@napi-rs/keyring` (a prebuilt native module). */
export class OsKeyring implements Keyring {
  private entry: EntryCtor | undefined;
  private loadError: string | undefined;

  constructor(private readonly env: NodeJS.ProcessEnv = process.env) {}

  availability(): KeyringAvailability {
    if (process.platform === "linux" && !this.env.DBUS_SESSION_BUS_ADDRESS)
      return { available: false, why: "no D-Bus session (DBUS_SESSION_BUS_ADDRESS is unset), so no Secret Service" };
    if (!this.ctor()) return { available: false, why: `@napi-rs/keyring does not load (${this.loadError ?? "?"})` };
    return { available: true, why: `the OS keyring (service "${SERVICE}")` };
  }

  get(account: string): string | undefined {
    return this.call("reading", () => this.open(account).getPassword() ?? undefined);
  }

  set(account: string, secret: string): void {
    this.call("writing", () => this.open(account).setPassword(secret));
  }

  delete(account: string): void {
    this.call("deleting", () => {
      if (this.open(account).getPassword() != null) this.open(account).deletePassword();
    });
  }

  private ctor(): EntryCtor | undefined {
    if (this.entry || this.loadError) return this.entry;
    try {
      this.entry = (createRequire(import.meta.url)("@napi-rs/keyring") as { Entry: EntryCtor }).Entry;
    } catch (err) {
      this.loadError = (err as Error).message;
    }
    return this.entry;
  }

  private open(account: string): EntryLike {
    const a = this.availability();
    const Entry = this.ctor();
    if (!a.available || !Entry) throw unavailable(a.why);
    return new Entry(SERVICE, account);
  }

  private call<T>(what: string, fn: () => T): T {
    try {
      return fn();
    } catch (err) {
      if (err instanceof HoldfastError) throw err;
      throw unavailable(`${what} the key failed (${(err as Error).message})`, err);
    }
  }
}

/**
 * A keyring in memory, faithful to the OS one's contract (accounts, replace on set, delete of a
 * missing account is a no-op), with `available: false` to play a headless machine.
 */
export class MemoryKeyring implements Keyring {
  readonly entries = new Map<string, string>();

  constructor(private readonly up = true) {}

  availability(): KeyringAvailability {
    return this.up ? { available: true, why: "an in-memory keyring" } : { available: false, why: "no Secret Service" };
  }

  get(account: string): string | undefined {
    this.check();
    return this.entries.get(account);
  }

  set(account: string, secret: string): void {
    this.check();
    this.entries.set(account, secret);
  }

  delete(account: string): void {
    this.check();
    this.entries.delete(account);
  }

  private check(): void {
    if (!this.up) throw unavailable("no Secret Service");
  }
}
