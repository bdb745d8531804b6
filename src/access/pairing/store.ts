import { promises as fsp } from "node:fs";
import path from "node:path";
import { HoldfastError } from "../../errors/index.js";
import { cliHint, JsonFileStore, type Clock } from "../../infra/index.js";
import { normalizeSenderId } from "../normalize.js";
import {
  findByCode,
  parsePairingFile,
  pruneRequests,
  randomPairingCode,
  upsertRequest,
  type PairingFile,
  type PairingRequest,
  type UpsertOutcome,
} from "./state.js";

/** The default channel account id. */
export const DEFAULT_ACCOUNT_ID = "default";

/**
 * Makes a channel or account id safe as a file-name part: trimmed, lowercased, `\ / : * ? " < > |`
 * and `..` replaced by `_`. Source: reference §4.3.
 * @throws HoldfastError HF_PAIRING_INVALID for a blank value.
 */
export function pairingKey(value: string, what: "channel" | "account id"): string {
  const v = value
    .trim()
    .toLowerCase()
    .replace(/[\\/:*?"<>|]/g, "_")
    .replaceAll("..", "_");
  if (v === "") throw new HoldfastError("HF_PAIRING_INVALID", `invalid pairing ${what}`);
  return v;
}

/**
 * Normalizes a sender id for storage. @throws HoldfastError HF_PAIRING_INVALID when it is not a sender
 * id of `channel` (e.g. a Telegram `@username`).
 */
export function requireSenderId(channel: string, senderId: string): string {
  const id = normalizeSenderId(channel, senderId);
  if (id === undefined)
    throw new HoldfastError("HF_PAIRING_INVALID", `"${senderId.slice(0, 64)}" is not a ${channel} sender id`);
  return id;
}

/** `{"version":1,"allowFrom":[...]}`. */
interface AllowFile {
  readonly version: 1;
  readonly allowFrom: readonly string[];
}

function parseAllowFile(raw: unknown): AllowFile {
  const list = (raw as { allowFrom?: unknown } | null)?.allowFrom;
  if (!Array.isArray(list)) throw new HoldfastError("HF_STATE_CORRUPT", "expected {version:1, allowFrom:[...]}");
  return { version: 1, allowFrom: list.map(String) };
}

/**
 * The DM allow store of one channel: senders approved through pairing, one file per account —
 * `<credentialsDir>/<channel>-allowFrom.json` (default account) or `<channel>-<account>-allowFrom.json`.
 * Mode 600, atomic locked writes. Reads are cached by file identity (inode, mtime, size), so a
 * running gateway sees CLI approvals and revocations on the next message without a restart.
 */
export class AllowStore {
  private readonly channel: string;
  private readonly stores = new Map<string, JsonFileStore<AllowFile>>();
  private readonly cache = new Map<string, { stamp: string; entries: readonly string[] }>();

  constructor(
    private readonly credentialsDir: string,
    channel: string,
  ) {
    this.channel = pairingKey(channel, "channel");
  }

  /** Path of an account's allow file. */
  file(accountId: string): string {
    const acct = pairingKey(accountId, "account id");
    const name =
      acct === DEFAULT_ACCOUNT_ID ? `${this.channel}-allowFrom.json` : `${this.channel}-${acct}-allowFrom.json`;
    return path.join(this.credentialsDir, name);
  }

  /** Approved sender ids of an account (normalized). */
  async entries(accountId: string): Promise<readonly string[]> {
    const store = this.store(accountId);
    const stamp = await fsp.stat(store.file).then(
      (s) => `${s.ino}:${s.mtimeMs}:${s.size}`,
      () => "missing",
    );
    const hit = this.cache.get(store.file);
    if (hit && hit.stamp === stamp) return hit.entries;
    const entries = stamp === "missing" ? [] : (await store.read()).allowFrom;
    this.cache.set(store.file, { stamp, entries });
    return entries;
  }

  /** Adds a sender (normalized; `"*"` is never stored). Returns false when already present. */
  async add(accountId: string, senderId: string): Promise<boolean> {
    const id = requireSenderId(this.channel, senderId);
    return this.store(accountId).update((cur) =>
      cur.allowFrom.includes(id)
        ? { value: cur, result: false, write: false }
        : { value: { version: 1, allowFrom: [...cur.allowFrom, id] }, result: true },
    );
  }

  /** Removes a sender. Returns false when it was not present. */
  async remove(accountId: string, senderId: string): Promise<boolean> {
    const id = requireSenderId(this.channel, senderId);
    return this.store(accountId).update((cur) =>
      cur.allowFrom.includes(id)
        ? { value: { version: 1, allowFrom: cur.allowFrom.filter((e) => e !== id) }, result: true }
        : { value: cur, result: false, write: false },
    );
  }

  /** Accounts with an allow file of this channel in the credentials dir. */
  async accounts(): Promise<string[]> {
    const names = await fsp.readdir(this.credentialsDir).catch(() => [] as string[]);
    const out: string[] = [];
    for (const n of names) {
      if (n === `${this.channel}-allowFrom.json`) out.push(DEFAULT_ACCOUNT_ID);
      else if (n.startsWith(`${this.channel}-`) && n.endsWith("-allowFrom.json"))
        out.push(n.slice(this.channel.length + 1, -"-allowFrom.json".length));
    }
    return out;
  }

  private store(accountId: string): JsonFileStore<AllowFile> {
    const file = this.file(accountId);
    let s = this.stores.get(file);
    if (!s) this.stores.set(file, (s = new JsonFileStore(file, parseAllowFile, () => ({ version: 1, allowFrom: [] }))));
    return s;
  }
}

/**
 * Pending pairing requests of one channel (`<credentialsDir>/<channel>-pairing.json`, mode 600,
 * atomic locked writes, safe with the gateway and CLI writing at once). Expired requests are pruned on
 * every read and write. Approval moves the sender into the {@link AllowStore} (DM access only).
 * Source: seeds security-architecture.md "Layer 1: DM Access"; reference §4.3.
 */
export class PairingStore {
  readonly channel: string;
  readonly allow: AllowStore;
  private readonly store: JsonFileStore<PairingFile>;

  constructor(
    credentialsDir: string,
    channel: string,
    private readonly clock: Clock,
    private readonly newCode: () => string = randomPairingCode,
  ) {
    this.channel = pairingKey(channel, "channel");
    this.allow = new AllowStore(credentialsDir, this.channel);
    this.store = new JsonFileStore(path.join(credentialsDir, `${this.channel}-pairing.json`), parsePairingFile, () => ({
      version: 1,
      requests: [],
    }));
  }

  /** Path of the pairing file. */
  get file(): string {
    return this.store.file;
  }

  /** Records a DM from an unknown sender (see `upsertRequest` for the outcome's meaning). */
  async upsert(accountId: string, senderId: string, name?: string): Promise<UpsertOutcome> {
    const acct = pairingKey(accountId, "account id");
    const id = requireSenderId(this.channel, senderId);
    return this.store.update((cur) => {
      const r = upsertRequest(
        cur,
        { accountId: acct, senderId: id, ...(name ? { name } : {}) },
        this.clock.now(),
        this.newCode,
      );
      return { value: r.file, result: r.outcome, write: r.changed };
    });
  }

  /** Live requests, oldest first (optionally of one account). */
  async list(accountId?: string): Promise<PairingRequest[]> {
    const acct = accountId === undefined ? undefined : pairingKey(accountId, "account id");
    const file = pruneRequests(await this.store.read(), this.clock.now());
    return file.requests.filter((r) => acct === undefined || r.meta.accountId === acct);
  }

  /**
   * Approves the live request with `code` (case-insensitive): adds the sender to the account's allow
   * store, then removes the request. @throws HoldfastError HF_PAIRING_NOT_FOUND for an unknown or expired code.
   */
  async approve(code: string, accountId?: string): Promise<PairingRequest> {
    return this.take(code, accountId, (r) => this.allow.add(r.meta.accountId, r.id));
  }

  /** Removes the request with `code` without approving it (the sender may ask again later). */
  async reject(code: string, accountId?: string): Promise<PairingRequest> {
    return this.take(code, accountId, async () => undefined);
  }

  /**
   * Every trace of a sender in this channel's pairing and allow stores: their pending requests and
   * the accounts whose allow file lists them; unless `dryRun`, all of it is removed (privacy forget).
   */
  async forgetSender(
    senderId: string,
    opts: { readonly dryRun?: boolean } = {},
  ): Promise<{ pending: PairingRequest[]; allowedIn: { accountId: string; file: string }[] }> {
    const id = requireSenderId(this.channel, senderId);
    const pending = (await this.store.read()).requests.filter((r) => r.id === id);
    if (!opts.dryRun && pending.length > 0)
      await this.store.update((cur) => ({
        value: { version: 1, requests: cur.requests.filter((r) => r.id !== id) },
        result: undefined,
      }));
    const allowedIn: { accountId: string; file: string }[] = [];
    for (const accountId of await this.allow.accounts()) {
      if (!(await this.allow.entries(accountId)).includes(id)) continue;
      allowedIn.push({ accountId, file: this.allow.file(accountId) });
      if (!opts.dryRun) await this.allow.remove(accountId, id);
    }
    return { pending, allowedIn };
  }

  private take(
    code: string,
    accountId: string | undefined,
    onFound: (r: PairingRequest) => Promise<unknown>,
  ): Promise<PairingRequest> {
    const acct = accountId === undefined ? undefined : pairingKey(accountId, "account id");
    return this.store.update(async (cur) => {
      const now = this.clock.now();
      const found = findByCode(cur, code, now, acct);
      if (!found) {
        throw new HoldfastError(
          "HF_PAIRING_NOT_FOUND",
          `No pending pairing request found for code "${code.trim().toUpperCase().slice(0, 16)}". Run ${cliHint(`pairing list ${this.channel}`)} to list pending requests.`,
        );
      }
      await onFound(found);
      const pruned = pruneRequests(cur, now);
      return { value: { version: 1, requests: pruned.requests.filter((r) => r !== found) }, result: found };
    });
  }
}
