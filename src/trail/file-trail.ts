import { promises as fsp } from "node:fs";
import path from "node:path";
import { z } from "zod";
import { ensurePrivateDir, JsonFileStore, STATE_FILE_MODE, type Clock } from "../infra/index.js";
import type { Logger } from "../logging/index.js";
import { chainEntry } from "./chain.js";
import { PseudonymStore } from "./pseudonyms.js";
import type { DetailValue, SecurityActor, SecurityEvent, SecurityTrail, TrailEntry } from "./types.js";

/** Where the trail of a state dir lives. */
export interface TrailPaths {
  /** `<stateDir>/audit/security.jsonl` */
  readonly file: string;
  /** `<stateDir>/audit/security.head.json`: the last seq and hash written (catches lines cut off the end). */
  readonly headFile: string;
  /** `<stateDir>/credentials/audit-pseudonyms.json` */
  readonly keysFile: string;
}

/** The trail files of a state dir. */
export function trailPaths(stateDir: string): TrailPaths {
  const dir = path.join(stateDir, "audit");
  return {
    file: path.join(dir, "security.jsonl"),
    headFile: path.join(dir, "security.head.json"),
    keysFile: path.join(stateDir, "credentials", "audit-pseudonyms.json"),
  };
}

const Head = z.object({ seq: z.number().int().min(0), hash: z.string() });
type Head = z.infer<typeof Head>;

/** The head file's store (also read by `audit-log verify`). */
export function headStore(paths: TrailPaths): JsonFileStore<Head> {
  return new JsonFileStore(
    paths.headFile,
    (raw) => Head.parse(raw),
    () => ({ seq: 0, hash: "" }),
  );
}

const MAX_DETAIL_CHARS = 200;
const TAIL_BYTES = 64 * 1024;

function clip(v: DetailValue): DetailValue {
  if (typeof v === "string") return v.slice(0, MAX_DETAIL_CHARS);
  if (Array.isArray(v)) return v.slice(0, 50).map((s: string) => s.slice(0, MAX_DETAIL_CHARS));
  return v;
}

/** The last complete entry's seq and hash, read from the end of the file. */
async function lastEntry(file: string): Promise<{ seq: number; hash: string } | undefined> {
  let fh;
  try {
    fh = await fsp.open(file, "r");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw err;
  }
  try {
    const { size } = await fh.stat();
    const len = Math.min(size, TAIL_BYTES);
    const buf = Buffer.alloc(len);
    await fh.read(buf, 0, len, size - len);
    const lines = buf
      .toString("utf8")
      .split("\n")
      .filter((l) => l.trim() !== "");
    for (let i = lines.length - 1; i >= 0; i--) {
      try {
        const e = JSON.parse(lines[i] as string) as Partial<TrailEntry>;
        if (Number.isSafeInteger(e.seq) && typeof e.hash === "string") return { seq: e.seq as number, hash: e.hash };
      } catch {
        // a torn or edited line: keep looking backwards; verify reports it
      }
    }
    return undefined;
  } finally {
    await fh.close();
  }
}

/**
 * The hash-chained security trail of one state dir, safe with the gateway and CLI commands appending
 * at once: each append takes the head file's lock, reads the last entry, appends the new line
 * (O_APPEND, fsync, mode 600 in a 700 dir) and then moves the head. People become pseudonyms before
 * anything is written. Source: issue "Tamper-evident security trail".
 */
export class FileSecurityTrail implements SecurityTrail {
  private readonly head: JsonFileStore<Head>;
  private readonly pseudonyms: PseudonymStore;
  private pending: Promise<void> = Promise.resolve();

  constructor(
    private readonly paths: TrailPaths,
    private readonly deps: { readonly clock: Clock; readonly log: Logger },
  ) {
    this.head = headStore(paths);
    this.pseudonyms = new PseudonymStore(paths.keysFile);
  }

  record(event: SecurityEvent): Promise<void> {
    const done = this.pending.then(() =>
      this.append(event).catch((err: unknown) =>
        this.deps.log.error({ err, type: event.type }, "security trail: the event could not be written"),
      ),
    );
    this.pending = done;
    return done;
  }

  flush(): Promise<void> {
    return this.pending;
  }

  /** Deletes the pseudonym keys of these identities (`channel:id`); see {@link PseudonymStore.forget}. */
  forgetPeople(identities: readonly string[], opts: { readonly dryRun?: boolean } = {}): Promise<number> {
    return this.pseudonyms.forget(identities, opts);
  }

  private async actor(a: SecurityActor): Promise<Record<string, string>> {
    if (a.kind === "person") return { kind: "person", person: await this.pseudonyms.pseudonym(a.person) };
    return Object.fromEntries(Object.entries(a).filter(([, v]) => typeof v === "string")) as Record<string, string>;
  }

  private async append(event: SecurityEvent): Promise<void> {
    const body = {
      ts: new Date(this.deps.clock.now()).toISOString(),
      type: event.type,
      ...(event.actor ? { actor: await this.actor(event.actor) } : {}),
      ...(event.subject ? { subject: await this.pseudonyms.pseudonym(event.subject) } : {}),
      ...(event.details
        ? { details: Object.fromEntries(Object.entries(event.details).map(([k, v]) => [k, clip(v)])) }
        : {}),
    };
    await ensurePrivateDir(path.dirname(this.paths.file));
    await this.head.update(async (head) => {
      const last = (await lastEntry(this.paths.file)) ?? (head.seq > 0 ? head : undefined);
      const entry = chainEntry(last, body);
      const fh = await fsp.open(this.paths.file, "a", STATE_FILE_MODE);
      try {
        await fh.writeFile(`${JSON.stringify(entry)}\n`);
        await fh.sync();
      } finally {
        await fh.close();
      }
      return { value: { seq: entry.seq, hash: entry.hash }, result: undefined };
    });
  }
}
