import { promises as fsp } from "node:fs";
import path from "node:path";
import { readFileIfExists, writeFileAtomic } from "../infra/index.js";
import { parseJsonl } from "../store/index.js";
import type { TranscriptLine } from "./transcript-read.js";
import type { ChatMessage } from "./types.js";

/** Marker between a transcript's name and the time it was deleted: `<sessionId>.jsonl.deleted.<ms>`. */
export const ARCHIVE_MARKER = ".jsonl.deleted.";

/** The archive name of a transcript deleted at `at` (ms): `<file>.deleted.<at>`. */
export function archiveName(transcript: string, at: number): string {
  return `${transcript}.deleted.${at}`;
}

/** A deleted session's transcript kept as `<sessionId>.jsonl.deleted.<ms>` (reference §5.3, §10.2). */
export interface TranscriptArchive {
  readonly file: string;
  readonly agentId: string;
  readonly sessionId: string;
  /** When the session was deleted (ms since the epoch, from the file name). */
  readonly deletedAt: number;
  readonly bytes: number;
}

/** Every archive under `<agentsDir>/<agentId>/sessions/`, oldest first. Unreadable directories are skipped. */
export async function listArchives(agentsDir: string): Promise<TranscriptArchive[]> {
  const out: TranscriptArchive[] = [];
  for (const agentId of await fsp.readdir(agentsDir).catch(() => [] as string[])) {
    const dir = path.join(agentsDir, agentId, "sessions");
    for (const name of await fsp.readdir(dir).catch(() => [] as string[])) {
      const i = name.indexOf(ARCHIVE_MARKER);
      if (i <= 0) continue;
      const deletedAt = Number(name.slice(i + ARCHIVE_MARKER.length));
      if (!Number.isFinite(deletedAt)) continue;
      const file = path.join(dir, name);
      const st = await fsp.lstat(file).catch(() => undefined);
      if (!st?.isFile()) continue;
      out.push({ file, agentId, sessionId: name.slice(0, i), deletedAt, bytes: st.size });
    }
  }
  return out.sort((a, b) => a.deletedAt - b.deletedAt);
}

/** The parsed lines of a transcript file (header and messages); a missing file has none. */
export async function readTranscriptLines(file: string): Promise<TranscriptLine[]> {
  const text = (await readFileIfExists(file)) ?? "";
  return parseJsonl(text).entries.filter(
    (e): e is TranscriptLine =>
      typeof e === "object" && e !== null && typeof (e as { type?: unknown }).type === "string",
  );
}

/** What {@link rewriteTranscriptFile} did. */
export interface RewriteResult {
  readonly kept: number;
  readonly removed: number;
}

/**
 * Rewrites a transcript file keeping its header and the messages `keep` returns (temp file, fsync,
 * rename; 600). Lines that do not parse are dropped. Nothing is written when nothing changes.
 * @throws HoldfastError HF_STATE_IO when the file cannot be written
 */
export async function rewriteTranscriptFile(
  file: string,
  keep: (messages: readonly ChatMessage[]) => readonly ChatMessage[],
): Promise<RewriteResult> {
  const lines = await readTranscriptLines(file);
  const headers = lines.filter((l) => l.type === "session");
  const messages = lines.flatMap((l) => (l.type === "message" ? [l.message] : []));
  const kept = keep(messages);
  if (kept.length === messages.length) return { kept: kept.length, removed: 0 };
  const text = [...headers, ...kept.map((message) => ({ type: "message", message }))]
    .map((l) => `${JSON.stringify(l)}\n`)
    .join("");
  await writeFileAtomic(file, text, 0o600, { privateDir: false });
  return { kept: kept.length, removed: messages.length - kept.length };
}
