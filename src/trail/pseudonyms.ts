import { createHmac, randomBytes } from "node:crypto";
import { z } from "zod";
import { JsonFileStore } from "../infra/index.js";
import type { PersonRef } from "./types.js";

const KeysFile = z.object({
  version: z.literal(1),
  keys: z.record(z.string(), z.string().regex(/^[A-Za-z0-9_-]{43}$/)),
});
type KeysFile = z.infer<typeof KeysFile>;

const personKey = (p: PersonRef) => `${p.channel}:${p.id}`.toLowerCase();

/**
 * Per-person pseudonym keys (`<stateDir>/credentials/audit-pseudonyms.json`, mode 600): a random
 * 32-byte key per `channel:id` (lowercased), created on first use. A person's pseudonym is
 * `p:` + the first 32 hex digits of HMAC-SHA256(key, `channel:id`). Deleting the key (privacy forget)
 * unlinks every trail entry about that person without rewriting the chain (crypto-shredding).
 */
export class PseudonymStore {
  private readonly store: JsonFileStore<KeysFile>;

  constructor(file: string) {
    this.store = new JsonFileStore(
      file,
      (raw) => KeysFile.parse(raw),
      () => ({ version: 1, keys: {} }),
    );
  }

  get file(): string {
    return this.store.file;
  }

  /** The person's pseudonym, creating their key when they have none. @throws HoldfastError HF_STATE_IO */
  async pseudonym(p: PersonRef): Promise<string> {
    const id = personKey(p);
    const key =
      (await this.store.read()).keys[id] ??
      (await this.store.update((cur) => {
        const have = cur.keys[id];
        if (have) return { value: cur, result: have, write: false };
        const fresh = randomBytes(32).toString("base64url");
        return { value: { version: 1, keys: { ...cur.keys, [id]: fresh } }, result: fresh };
      }));
    return `p:${createHmac("sha256", Buffer.from(key, "base64url")).update(id).digest("hex").slice(0, 32)}`;
  }

  /**
   * Deletes the keys of these identities (`channel:id`); returns how many existed. With `dryRun`,
   * only counts. @throws HoldfastError HF_STATE_IO
   */
  async forget(identities: readonly string[], opts: { readonly dryRun?: boolean } = {}): Promise<number> {
    const ids = new Set(identities.map((i) => i.toLowerCase()));
    const cur = await this.store.read();
    const found = Object.keys(cur.keys).filter((k) => ids.has(k)).length;
    if (found === 0 || opts.dryRun) return found;
    return this.store.update((now) => {
      const keys = Object.fromEntries(Object.entries(now.keys).filter(([k]) => !ids.has(k)));
      return { value: { version: 1, keys }, result: Object.keys(now.keys).length - Object.keys(keys).length };
    });
  }
}
