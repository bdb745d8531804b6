import { promises as fsp } from "node:fs";
import path from "node:path";
import {
  BufferJSON,
  initAuthCreds,
  proto,
  type AuthenticationCreds,
  type AuthenticationState,
  type SignalDataSet,
  type SignalDataTypeMap,
} from "baileys";
import { HoldfastError } from "../../errors/index.js";
import { ensurePrivateDir, readFileIfExists, writeFileAtomic } from "../../infra/index.js";

/** The creds file of a linked session (the name OpenClaw and Baileys' multi-file state use). */
export const CREDS_FILE = "creds.json";

/** `<credentialsDir>/whatsapp/<accountId>`: one account's multi-device auth state. */
export function whatsappAuthDir(credentialsDir: string, accountId: string): string {
  return path.join(credentialsDir, "whatsapp", accountId);
}

/** An opened auth state: what Baileys reads and writes, and how it is saved or removed. */
export interface WhatsAppAuth {
  readonly state: AuthenticationState;
  /** True when the creds belong to a linked device (`creds.me` is set). */
  linked(): boolean;
  /** Writes `creds.json` (after Baileys' `creds.update`). */
  saveCreds(): Promise<void>;
  /** Waits for every pending write. */
  flush(): Promise<void>;
}

/** Key file name of one signal key (`/` and `:` are not file-name safe; the same mapping as Baileys'). */
function keyFile(type: string, id: string): string {
  return `${type}-${id}.json`.replace(/\//g, "__").replace(/:/g, "-");
}

/**
 * Opens (or starts) the multi-device auth state in `dir` — the layout of Baileys'
 * `useMultiFileAuthState` (`creds.json` and one `<type>-<id>.json` per signal key), so a session linked
 * by OpenClaw can be copied over — but every file is written atomically (temp + fsync + rename, mode
 * 600) in a 700 directory (its parent's mode is left as it is), and writes of one file are serialized, so a crash never leaves half a key.
 * A missing `creds.json` starts fresh credentials (not linked) without writing anything.
 * @throws HoldfastError HF_STATE_IO (the directory cannot be made private),
 *   HF_STATE_CORRUPT (`creds.json` is not valid JSON).
 */
export async function openWhatsAppAuth(dir: string): Promise<WhatsAppAuth> {
  // Only `dir` is tightened; missing parents are created 700 and an existing one keeps its mode (a
  // configured `authDir` may sit in a directory holdfast does not own, such as `~` or `/tmp`).
  await ensurePrivateDir(dir);
  const chains = new Map<string, Promise<void>>();
  const queue = (file: string, op: () => Promise<void>): Promise<void> => {
    const next = (chains.get(file) ?? Promise.resolve()).then(op, op);
    chains.set(file, next);
    void next.finally(() => chains.get(file) === next && chains.delete(file)).catch(() => undefined);
    return next;
  };
  const read = async (file: string): Promise<unknown> => {
    await chains.get(file)?.catch(() => undefined);
    const raw = await readFileIfExists(path.join(dir, file));
    if (raw === undefined) return undefined;
    try {
      return JSON.parse(raw, BufferJSON.reviver) as unknown;
    } catch {
      throw new HoldfastError("HF_STATE_CORRUPT", `${path.join(dir, file)} is not valid JSON`, {
        path: path.join(dir, file),
      });
    }
  };
  const write = (file: string, value: unknown) =>
    queue(file, () => writeFileAtomic(path.join(dir, file), JSON.stringify(value, BufferJSON.replacer)));
  const remove = (file: string) => queue(file, () => fsp.rm(path.join(dir, file), { force: true }));

  const creds = ((await read(CREDS_FILE)) as AuthenticationCreds | undefined) ?? initAuthCreds();
  const state: AuthenticationState = {
    creds,
    keys: {
      async get<T extends keyof SignalDataTypeMap>(type: T, ids: string[]) {
        const out: { [id: string]: SignalDataTypeMap[T] } = {};
        for (const id of ids) {
          let value = await read(keyFile(type, id)).catch(() => undefined);
          if (value === undefined) continue;
          if (type === "app-state-sync-key") value = proto.Message.AppStateSyncKeyData.fromObject(value as object);
          out[id] = value as SignalDataTypeMap[T];
        }
        return out;
      },
      async set(data: SignalDataSet) {
        const tasks: Promise<void>[] = [];
        for (const [type, entries] of Object.entries(data))
          for (const [id, value] of Object.entries(entries ?? {}))
            tasks.push(value ? write(keyFile(type, id), value) : remove(keyFile(type, id)));
        await Promise.all(tasks);
      },
    },
  };
  return {
    state,
    linked: () => state.creds.me?.id !== undefined,
    saveCreds: () => write(CREDS_FILE, state.creds),
    flush: async () => void (await Promise.allSettled([...chains.values()])),
  };
}

/** True when `dir` holds the creds of a linked device. */
export async function isLinked(dir: string): Promise<boolean> {
  return (await linkedJid(dir)) !== undefined;
}

/** The linked device's jid (`creds.me.id`) in `dir`, or undefined when none is linked or the creds are unreadable. */
export async function linkedJid(dir: string): Promise<string | undefined> {
  const raw = await readFileIfExists(path.join(dir, CREDS_FILE)).catch(() => undefined);
  if (raw === undefined) return undefined;
  try {
    const id = (JSON.parse(raw) as { me?: { id?: unknown } }).me?.id;
    return typeof id === "string" ? id : undefined;
  } catch {
    return undefined;
  }
}
