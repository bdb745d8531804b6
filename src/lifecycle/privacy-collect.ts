import { promises as fsp } from "node:fs";
import path from "node:path";
import type { PairingRequest } from "../access/index.js";
import type { ChatMessage, SessionStore, TranscriptArchive } from "../sessions/index.js";
import { isFrom, mediaNames, personMessages, type Person } from "./person.js";

/** The stores privacy export and forget work on. */
export interface PrivacyStores {
  readonly sessions: Pick<
    SessionStore,
    | "flush"
    | "list"
    | "history"
    | "rewrite"
    | "delete"
    | "archives"
    | "readArchive"
    | "rewriteArchive"
    | "removeArchive"
  >;
  /** Inbound media of a session (`InboundMedia`). */
  readonly media: {
    dirOf(agentId: string, sessionKey: string): string;
    remove(agentId: string, key: string): Promise<void>;
  };
  /** The pairing and allow stores of a channel (`PairingStore`); undefined for channels without them. */
  readonly pairing: (channel: string) =>
    | {
        forgetSender(
          id: string,
          opts?: { dryRun?: boolean },
        ): Promise<{ pending: PairingRequest[]; allowedIn: { accountId: string; file: string }[] }>;
      }
    | undefined;
}

/** A transcript (a live session or an archive) holding some of the person's messages. */
export interface PersonTranscript {
  readonly key: string;
  readonly agentId: string;
  /** Present for archives. */
  readonly archive?: TranscriptArchive;
  /** True when the whole transcript is theirs (a direct chat with no one else's messages). */
  readonly whole: boolean;
  /** Their messages and the replies to them, oldest first. */
  readonly messages: readonly ChatMessage[];
  /** Their inbound media files. */
  readonly media: readonly string[];
}

/** Everything stored about one person (before export or erasure). */
export interface PersonData {
  readonly transcripts: readonly PersonTranscript[];
  readonly access: {
    channel: string;
    id: string;
    pending: PairingRequest[];
    allowedIn: { accountId: string; file: string }[];
  }[];
}

/** Finds the person's messages in every session and archive, their media and their access entries. */
export async function collectPerson(stores: PrivacyStores, person: Person): Promise<PersonData> {
  await stores.sessions.flush();
  const transcripts: PersonTranscript[] = [];
  for (const s of await stores.sessions.list()) {
    const all = await stores.sessions.history(s.key, 0);
    const t = await found(stores, person, { key: s.key, agentId: s.agentId, direct: s.chatType === "direct", all });
    if (t) transcripts.push(t);
  }
  for (const a of await stores.sessions.archives()) {
    const { header, messages } = await stores.sessions.readArchive(a);
    const where = {
      key: header?.key ?? "",
      agentId: header?.agentId ?? a.agentId,
      direct: header?.chatType === "direct",
    };
    const t = await found(stores, person, { ...where, all: messages, archive: a });
    if (t) transcripts.push(t);
  }
  const access: PersonData["access"] = [];
  for (const { channel, id } of person.identities) {
    const r = await stores.pairing(channel)?.forgetSender(id, { dryRun: true });
    if (r && (r.pending.length > 0 || r.allowedIn.length > 0)) access.push({ channel, id, ...r });
  }
  return { transcripts, access };
}

async function found(
  stores: PrivacyStores,
  person: Person,
  where: {
    key: string;
    agentId: string;
    direct: boolean;
    all: readonly ChatMessage[];
    archive?: TranscriptArchive;
  },
): Promise<PersonTranscript | undefined> {
  const { all, archive } = where;
  const marks = personMessages(all, person);
  if (!marks.some(Boolean)) return undefined;
  const senders = all.filter((m) => m.role === "user" && m.sender);
  const whole = where.direct && senders.every((m) => isFrom(m, person));
  const messages = all.filter((_, i) => marks[i]);
  const dir = where.key ? stores.media.dirOf(where.agentId, where.key) : undefined;
  let media: string[] = [];
  if (dir) {
    const names = whole
      ? await fsp.readdir(dir).catch(() => [] as string[])
      : messages.flatMap((m) => (m.role === "user" ? mediaNames(m) : []));
    const files = names.map((n) => path.join(dir, n));
    media = (
      await Promise.all(files.map(async (f) => ((await fsp.lstat(f).catch(() => undefined))?.isFile() ? f : "")))
    ).filter(Boolean);
  }
  return { key: where.key, agentId: where.agentId, ...(archive ? { archive } : {}), whole, messages, media };
}
