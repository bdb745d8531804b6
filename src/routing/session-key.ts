import { encodeKeyPart } from "./ids.js";

export type DmScope = "main" | "per-peer" | "per-channel-peer" | "per-account-channel-peer";

/** holdfast's default DM scope: every sender of every channel gets their own session. */
export const DEFAULT_DM_SCOPE: DmScope = "per-channel-peer";

/** What a session key is built from (ids already normalized by {@link resolveRoute}). */
export interface SessionKeyInput {
  readonly agentId: string;
  readonly channel: string;
  readonly accountId: string;
  readonly chatType: "direct" | "group";
  /** DM: the sender id. */
  readonly peerId?: string;
  /** Group: the group/chat id. */
  readonly groupId?: string;
  /** Forum topic / thread id inside a group. */
  readonly threadId?: string;
  readonly dmScope: DmScope;
  /** `session.identityLinks`: canonical name → `["telegram:123", "whatsapp:+1555…"]`. */
  readonly identityLinks?: Readonly<Record<string, readonly string[]>>;
  /** `session.groupScope`: `main` merges groups into the main session. */
  readonly groupScope?: "group" | "main";
  /** `session.scope`: `global` puts everything into one session per agent. */
  readonly scope?: "per-sender" | "global";
}

/** Channels whose group ids are case-sensitive (reference §5.1: Signal group ids keep their case). */
const CASE_SENSITIVE_GROUP_CHANNELS: ReadonlySet<string> = new Set(["signal"]);

/**
 * Builds a session key (reference §5.2):
 * - DMs: `main` → `agent:<a>:main`; `per-peer` → `agent:<a>:direct:<peer>`; `per-channel-peer` →
 *   `agent:<a>:<channel>:direct:<peer>`; `per-account-channel-peer` → `agent:<a>:<channel>:<account>:direct:<peer>`.
 *   An empty peer falls back to the main key. identityLinks apply only when dmScope ≠ `main`.
 * - groups: `agent:<a>:<channel>:group:<id>` (`:topic:<thread>` for forum topics); `groupScope: "main"` → main key.
 * - `scope: "global"` → `agent:<a>:global`.
 * Peer and group ids are lowercased and encoded injectively, so distinct peers never share a key
 * unless linked or dmScope is `main`.
 */
export function buildSessionKey(i: SessionKeyInput): string {
  const base = `agent:${i.agentId}`;
  if (i.scope === "global") return `${base}:global`;
  const channel = encodeKeyPart(i.channel, "unknown");
  if (i.chatType === "group") {
    if (i.groupScope === "main") return `${base}:main`;
    const caseSensitive = CASE_SENSITIVE_GROUP_CHANNELS.has(i.channel.toLowerCase());
    const group = `${base}:${channel}:group:${encodeKeyPart(i.groupId ?? "", "unknown", { caseSensitive })}`;
    return i.threadId ? `${group}:topic:${encodeKeyPart(i.threadId, "unknown")}` : group;
  }
  const rawPeer = (i.peerId ?? "").trim();
  if (i.dmScope === "main" || rawPeer === "") return `${base}:main`;
  const peer = linkedIdentity(i.identityLinks, i.channel, rawPeer) ?? encodeKeyPart(rawPeer, "unknown");
  switch (i.dmScope) {
    case "per-peer":
      return `${base}:direct:${peer}`;
    case "per-channel-peer":
      return `${base}:${channel}:direct:${peer}`;
    case "per-account-channel-peer":
      return `${base}:${channel}:${encodeKeyPart(i.accountId, "default")}:direct:${peer}`;
  }
}

/**
 * The canonical name whose identityLinks list the peer (candidates: the raw peer id and
 * `<channel>:<peer>`, lowercased), encoded like a peer id; else undefined. The canonical name takes
 * the peer id's place in the key (reference §5.2), so it should not be another sender's platform id.
 */
function linkedIdentity(links: SessionKeyInput["identityLinks"], channel: string, peer: string): string | undefined {
  if (!links) return undefined;
  const candidates = new Set([peer.toLowerCase(), `${channel}:${peer}`.toLowerCase()]);
  for (const [canonical, ids] of Object.entries(links)) {
    if (ids.some((id) => candidates.has(id.trim().toLowerCase()))) return encodeKeyPart(canonical, "unknown");
  }
  return undefined;
}
