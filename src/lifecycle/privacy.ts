import { createHash } from "node:crypto";
import { promises as fsp } from "node:fs";
import path from "node:path";
import { HoldfastError } from "../errors/index.js";
import { decodeStateFile, ensurePrivateDir, writeFileAtomic } from "../infra/index.js";
import type { ChatMessage } from "../sessions/index.js";
import type { SecurityTrail } from "../trail/index.js";
import { eraseRows, type EraseCounts, type StateDb } from "../store/index.js";
import { exportFilePrefix } from "./export-session.js";
import { personMessages, type ChannelIdentity, type Person } from "./person.js";
import { collectPerson, type PersonData, type PrivacyStores } from "./privacy-collect.js";
import { findTraces, redactInPlace, walkFiles } from "./traces.js";

/** Everything privacy export and forget need. */
export interface PrivacyDeps extends PrivacyStores {
  readonly db: StateDb;
  /** The state dir, searched file by file for what is left of the person. */
  readonly stateDir: string;
  /** The gateway's log files (they may live outside the state dir). */
  readonly logFiles: () => Promise<string[]>;
  /** Files outside the state dir searched for traces too (the config file). */
  readonly extraFiles?: readonly string[];
  /** `/export-session` output (`<stateDir>/exports`): a session's exports go with it. */
  readonly exportsDir: string;
  /** Runs after the erasure: removes the sandbox workspaces of the sessions that ended. */
  readonly afterErase?: () => Promise<unknown>;
  readonly abortSession: (key: string) => void;
  readonly now: () => number;
  /**
   * The security trail: forget records `privacy.forget` (under the person's pseudonym, while it still
   * exists) and then deletes their pseudonym keys, so no trail entry links to them any more.
   */
  readonly trail?: SecurityTrail & {
    forgetPeople(identities: readonly string[], opts?: { readonly dryRun?: boolean }): Promise<number>;
  };
}

/** What `privacy export` wrote. */
export interface PrivacyExportReport {
  readonly sender: string;
  readonly identities: readonly string[];
  readonly dir: string;
  readonly files: readonly { path: string; bytes: number; sha256: string }[];
  readonly counts: { transcripts: number; messages: number; media: number; access: number };
}

/** What `privacy forget` removed (or, with `dryRun`, would remove). */
export interface PrivacyForgetReport {
  readonly sender: string;
  readonly identities: readonly string[];
  readonly dryRun: boolean;
  readonly transcripts: { key: string; archive?: string; whole: boolean; messages: number }[];
  readonly media: readonly string[];
  readonly access: { channel: string; id: string; pending: number; allowedIn: string[] }[];
  readonly rows: EraseCounts;
  /** Log files where their ids were overwritten, with the count. */
  readonly logs: { file: string; redacted: number }[];
  /** Pseudonym keys of the security trail deleted (crypto-shredding their trail entries). */
  readonly pseudonymKeys: number;
  /** Files that still contain one of their ids after the erasure (for example the config's allowlists). */
  readonly remaining: { file: string; found: string[] }[];
}

const ids = (p: Person) => p.identities.map((i) => `${i.channel}:${i.id}`);
const needles = (p: Person) => [...new Set([...p.identities.map((i) => i.id), ...(p.canonical ? [p.canonical] : [])])];

/**
 * Writes everything stored about a person into `dir` (created 700; must be empty or missing), files
 * 600: `messages.json` (their messages and the replies to them, per session and archive),
 * `access.json` (pairing requests, allowlist entries), `media/` (their inbound attachments) and
 * `manifest.json` (each file with its size and SHA-256). Source: seeds "GDPR Considerations" (access,
 * portability).
 * @throws HoldfastError HF_CLI_USAGE when `dir` exists and is not empty; HF_STATE_IO
 */
export async function exportPerson(deps: PrivacyDeps, person: Person, dir: string): Promise<PrivacyExportReport> {
  const existing = await fsp.readdir(dir).catch(() => [] as string[]);
  if (existing.length > 0)
    throw new HoldfastError("HF_CLI_USAGE", `${dir} is not empty; choose a new directory (--out)`);
  await ensurePrivateDir(dir);
  const data = await collectPerson(deps, person);
  const files: { path: string; bytes: number; sha256: string }[] = [];
  const put = async (rel: string, bytes: Uint8Array | string) => {
    const buf = typeof bytes === "string" ? Buffer.from(bytes, "utf8") : Buffer.from(bytes);
    await writeFileAtomic(path.join(dir, rel), buf);
    files.push({ path: rel, bytes: buf.length, sha256: createHash("sha256").update(buf).digest("hex") });
  };
  const transcripts = data.transcripts.map((t) => ({
    session: t.key,
    agentId: t.agentId,
    ...(t.archive ? { deletedAt: new Date(t.archive.deletedAt).toISOString() } : {}),
    messages: t.messages,
  }));
  await put("messages.json", `${JSON.stringify({ sender: person.sender, transcripts }, null, 2)}\n`);
  await put("access.json", `${JSON.stringify({ access: data.access }, null, 2)}\n`);
  let media = 0;
  for (const t of data.transcripts)
    for (const file of t.media) {
      const sealed = await fsp.readFile(file).catch(() => undefined);
      if (!sealed) continue;
      const bytes = decodeStateFile(file, sealed);
      await put(path.join("media", path.basename(path.dirname(file)), path.basename(file)), bytes);
      media++;
    }
  const counts = {
    transcripts: data.transcripts.length,
    messages: data.transcripts.reduce((n, t) => n + t.messages.length, 0),
    media,
    access: data.access.reduce((n, a) => n + a.pending.length + a.allowedIn.length, 0),
  };
  const manifest = {
    format: "holdfast-privacy-export",
    version: 1,
    sender: person.sender,
    identities: ids(person),
    exportedAt: new Date(deps.now()).toISOString(),
    counts,
    files: [...files],
  };
  await put("manifest.json", `${JSON.stringify(manifest, null, 2)}\n`);
  return { sender: person.sender, identities: ids(person), dir, files, counts };
}

/**
 * Erases a person: direct sessions and archives that are all theirs are removed outright (no archive),
 * their messages and the replies to them are cut out of shared ones, their media, pairing requests and
 * allowlist entries go, their rows leave the state database (compacted, so nothing stays in free pages),
 * their ids are overwritten in the log files, `/export-session` files of those sessions are removed, and every file of the state dir and the logs is then
 * searched for their ids: what still has one is listed in `remaining`. With `dryRun` nothing changes.
 * Source: seeds "GDPR Considerations" (erasure); issue "Data lifecycle" (erasure really erases).
 * @throws HoldfastError HF_STATE_* when a store cannot be written (what was removed stays removed)
 */
export async function forgetPerson(
  deps: PrivacyDeps,
  person: Person,
  opts: { readonly dryRun?: boolean } = {},
): Promise<PrivacyForgetReport> {
  const dryRun = opts.dryRun === true;
  const data = await collectPerson(deps, person);
  const keepOthers = (all: readonly ChatMessage[]) => {
    const marks = personMessages(all, person);
    return all.filter((_, i) => !marks[i]);
  };
  if (!dryRun) {
    await erase(deps, data, keepOthers);
    await deps.afterErase?.();
  }
  const wholeKeys = data.transcripts.filter((t) => t.whole && t.key).map((t) => t.key);
  const rows = eraseRows(deps.db, { sessionKeys: wholeKeys, senders: person.identities }, { dryRun });
  const logFiles = await deps.logFiles();
  const logs: PrivacyForgetReport["logs"] = [];
  if (!dryRun)
    for (const file of logFiles) {
      const redacted = await redactInPlace(file, needles(person));
      if (redacted > 0) logs.push({ file, redacted });
    }
  if (!dryRun)
    await deps.trail?.record({
      type: "privacy.forget",
      subject: person.identities[0] as ChannelIdentity,
      details: { identities: person.identities.length, sessions: data.transcripts.length },
    });
  const pseudonymKeys = (await deps.trail?.forgetPeople(ids(person), { dryRun })) ?? 0;
  const scanned = [...new Set([...(await walkFiles(deps.stateDir)), ...logFiles, ...(deps.extraFiles ?? [])])];
  return {
    sender: person.sender,
    identities: ids(person),
    dryRun,
    transcripts: data.transcripts.map((t) => ({
      key: t.key,
      ...(t.archive ? { archive: t.archive.file } : {}),
      whole: t.whole,
      messages: t.messages.length,
    })),
    media: data.transcripts.flatMap((t) => t.media),
    access: data.access.map((a) => ({
      channel: a.channel,
      id: a.id,
      pending: a.pending.length,
      allowedIn: a.allowedIn.map((x) => x.file),
    })),
    rows,
    logs,
    pseudonymKeys,
    remaining: await findTraces(scanned, needles(person)),
  };
}

async function erase(
  deps: PrivacyDeps,
  data: PersonData,
  keepOthers: Parameters<PrivacyStores["sessions"]["rewrite"]>[1],
): Promise<void> {
  for (const t of data.transcripts) {
    if (t.archive) {
      if (t.whole) await deps.sessions.removeArchive(t.archive);
      else await deps.sessions.rewriteArchive(t.archive, keepOthers);
    } else if (t.whole) {
      deps.abortSession(t.key);
      await deps.sessions.delete(t.key, { purge: true });
    } else await deps.sessions.rewrite(t.key, keepOthers);
    if (t.whole && t.key) await deps.media.remove(t.agentId, t.key);
    else for (const f of t.media) await fsp.rm(f, { force: true });
  }
  for (const a of data.access) await deps.pairing(a.channel)?.forgetSender(a.id);
  const prefixes = data.transcripts.filter((t) => t.key).map((t) => exportFilePrefix(t.key));
  for (const name of await fsp.readdir(deps.exportsDir).catch(() => [] as string[]))
    if (prefixes.some((p) => name.startsWith(p))) await fsp.rm(path.join(deps.exportsDir, name), { force: true });
}
