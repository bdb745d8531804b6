import { HoldfastError } from "../errors/index.js";
import type { ChatMessage } from "../sessions/index.js";

/** One channel identity of a person: `telegram:12345`. */
export interface ChannelIdentity {
  readonly channel: string;
  readonly id: string;
}

/** A person: the identity asked for and every identity `session.identityLinks` links to it. */
export interface Person {
  /** As given (`<channel>:<id>`, lowercased). */
  readonly sender: string;
  readonly identities: readonly ChannelIdentity[];
  /** The `session.identityLinks` name the identities share, when linked. */
  readonly canonical?: string;
}

/**
 * Parses `<channel>:<id>` and follows `session.identityLinks` (reference §5.2: entries are
 * `<channel>:<id>` or a bare id, matched lowercased): every identity listed with it belongs to the
 * same person. Bare ids in a link are taken on the asked channel.
 * @throws HoldfastError HF_CLI_USAGE when `sender` is not `<channel>:<id>`
 */
export function resolvePerson(sender: string, identityLinks?: Readonly<Record<string, readonly string[]>>): Person {
  const m = /^([a-z0-9][a-z0-9_-]{0,31}):(.+)$/i.exec(sender.trim());
  if (!m)
    throw new HoldfastError(
      "HF_CLI_USAGE",
      `--sender must be <channel>:<id>, e.g. telegram:123456789 (got "${sender}")`,
    );
  const channel = (m[1] as string).toLowerCase();
  const id = (m[2] as string).trim().toLowerCase();
  const own = `${channel}:${id}`;
  const ids = new Map<string, ChannelIdentity>([[own, { channel, id }]]);
  let canonical: string | undefined;
  for (const [name, linked] of Object.entries(identityLinks ?? {})) {
    const list = linked.map((l) => l.trim().toLowerCase());
    if (!list.includes(own) && !list.includes(id)) continue;
    canonical = name.toLowerCase();
    for (const l of list) {
      const i = l.indexOf(":");
      const ident = i > 0 ? { channel: l.slice(0, i), id: l.slice(i + 1) } : { channel, id: l };
      ids.set(`${ident.channel}:${ident.id}`, ident);
    }
  }
  return { sender: own, identities: [...ids.values()], ...(canonical ? { canonical } : {}) };
}

/** True for a user message a channel recorded as sent by one of the person's identities. */
export function isFrom(m: ChatMessage, p: Person): boolean {
  if (m.role !== "user" || !m.sender) return false;
  const ch = m.sender.channel.toLowerCase();
  const id = String(m.sender.id).toLowerCase();
  return p.identities.some((i) => i.channel === ch && i.id === id);
}

/**
 * Marks the person's messages in a transcript: their own user messages and everything after each
 * one up to the next user message (the replies to them, tool calls and results included).
 */
export function personMessages(messages: readonly ChatMessage[], p: Person): boolean[] {
  let theirs = false;
  return messages.map((m) => {
    if (m.role === "user") theirs = isFrom(m, p);
    return theirs;
  });
}

/** Names of inbound media files (`/inbox/<name>`) a message refers to. */
export function mediaNames(m: ChatMessage): string[] {
  return [...m.content.matchAll(/\/inbox\/([A-Za-z0-9._-]+)/g)].map((x) => x[1] as string);
}
