import path from "node:path";
import { z } from "zod";
import { JsonFileStore, type Clock } from "../infra/index.js";

const EntrySchema = z.strictObject({
  dir: z.string(),
  scope: z.enum(["session", "agent", "shared"]),
  agentId: z.string(),
  sessionKey: z.string().optional(),
  sessionId: z.string().optional(),
  lastUsedAt: z.number(),
});
export type RegistryEntry = z.infer<typeof EntrySchema>;
const FileSchema = z.record(z.string(), EntrySchema);

/** Writes of `lastUsedAt` for an unchanged entry are skipped within this window (ms). */
const TOUCH_WRITE_INTERVAL_MS = 60_000;

/**
 * `<stateDir>/sandboxes/registry.json` (600): which scope each sandbox workspace belongs to, the
 * session id it was made for, and when it was last used. Source of truth for cleaning.
 */
export class SandboxRegistry {
  private readonly store: JsonFileStore<Record<string, RegistryEntry>>;
  private readonly lastWrite = new Map<string, { at: number; sessionId: string | undefined }>();

  constructor(
    sandboxesDir: string,
    private readonly clock: Clock,
  ) {
    this.store = new JsonFileStore(
      path.join(sandboxesDir, "registry.json"),
      (raw) => FileSchema.parse(raw),
      () => ({}),
    );
  }

  /**
   * Records a use of `<root>/<name>`. Returns true when the workspace belonged to an earlier session
   * id of the same key (the session was reset or deleted): the caller wipes it.
   */
  async touch(root: string, name: string, meta: Omit<RegistryEntry, "dir" | "lastUsedAt">): Promise<boolean> {
    const dir = path.join(root, name);
    const now = this.clock.now();
    const seen = this.lastWrite.get(dir);
    if (
      seen &&
      now - seen.at < TOUCH_WRITE_INTERVAL_MS &&
      (meta.sessionId === undefined || seen.sessionId === meta.sessionId)
    )
      return false;
    const reset = await this.store.update((all) => {
      const prev = all[dir];
      const changed =
        prev?.sessionId !== undefined && meta.sessionId !== undefined && prev.sessionId !== meta.sessionId;
      const sessionId = meta.sessionId ?? prev?.sessionId;
      const entry: RegistryEntry = { ...meta, dir, lastUsedAt: now, ...(sessionId !== undefined ? { sessionId } : {}) };
      return { value: { ...all, [dir]: entry }, result: changed };
    });
    this.lastWrite.set(dir, { at: now, sessionId: meta.sessionId ?? seen?.sessionId });
    return reset;
  }

  /** Removes (with `remove`) every workspace for which `ended` is true, and its entry. Returns how many were removed. */
  async prune(ended: (e: RegistryEntry) => Promise<boolean>, remove: (dir: string) => Promise<void>): Promise<number> {
    const all = await this.store.read();
    const gone: string[] = [];
    for (const e of Object.values(all)) {
      if (await ended(e)) {
        await remove(e.dir);
        gone.push(e.dir);
        this.lastWrite.delete(e.dir);
      }
    }
    if (gone.length > 0) {
      await this.store.update((cur) => {
        const next = { ...cur };
        for (const d of gone) delete next[d];
        return { value: next, result: undefined };
      });
    }
    return gone.length;
  }
}
