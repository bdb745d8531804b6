import { REDACTED_PATH, type FactView } from "../gateway/index.js";
import type { SessionStore } from "./store.js";
import type { SessionMeta } from "./types.js";

/** Sessions shown under "recent" per agent (reference status/health). */
const RECENT = 5;

/** What the session summaries read. */
export interface SessionSummaryDeps {
  readonly store: Pick<SessionStore, "list" | "sessionsDir">;
  /** Agent ids, the default first. */
  readonly agentIds: () => readonly string[];
  readonly now: () => number;
}

/** One recent session as the reference's status and health show it. */
export interface RecentSession {
  readonly key: string;
  readonly agentId: string;
  readonly sessionId: string;
  readonly kind: "direct" | "group";
  readonly updatedAt: number;
  /** ms since the last update. */
  readonly age: number;
}

function recent(metas: readonly SessionMeta[], now: number): RecentSession[] {
  return metas.slice(0, RECENT).map((m) => ({
    key: m.key,
    agentId: m.agentId,
    sessionId: m.sessionId,
    kind: m.chatType === "group" ? "group" : "direct",
    updatedAt: m.updatedAt,
    age: Math.max(0, now - m.updatedAt),
  }));
}

/**
 * Where an agent's sessions live (its transcripts directory; the index itself is a table of the
 * state database); `"[redacted]"` unless the caller is admin.
 */
function indexPath(d: SessionSummaryDeps, agentId: string, view: FactView): string {
  return view.admin ? d.store.sessionsDir(agentId) : REDACTED_PATH;
}

/**
 * The `sessions` fact of `status` (reference §3.3 status; what `openclaw status --json` reads):
 * `{paths, count, defaults, recent, byAgent:[{agentId, path, count, recent}]}`, newest first. Paths
 * only for an admin caller. `defaults` carries the default agent's model (`provider/model`) when one
 * is known.
 */
export async function statusSessions(
  d: SessionSummaryDeps,
  view: FactView,
  defaults: { readonly model: string | null; readonly contextTokens: number | null },
): Promise<Record<string, unknown>> {
  const now = d.now();
  const all = await d.store.list();
  const byAgent = d.agentIds().map((agentId) => {
    const mine = all.filter((m) => m.agentId === agentId);
    return { agentId, path: indexPath(d, agentId, view), count: mine.length, recent: recent(mine, now) };
  });
  return {
    paths: view.admin ? byAgent.map((a) => a.path) : [],
    count: all.length,
    defaults,
    recent: recent(all, now),
    byAgent,
  };
}

/**
 * The `agents` and `sessions` facts of `health` (what `openclaw health` prints): per agent
 * `{agentId, isDefault, heartbeat:{enabled:false, everyMs:null}, sessions:{path, count, recent}}`
 * (holdfast runs no heartbeat turns), and the default agent's sessions.
 */
export async function healthSessions(
  d: SessionSummaryDeps,
  view: FactView,
): Promise<{ agents: Record<string, unknown>[]; sessions: Record<string, unknown> }> {
  const now = d.now();
  const all = await d.store.list();
  const ids = d.agentIds();
  const agents = ids.map((agentId, i) => {
    const mine = all.filter((m) => m.agentId === agentId);
    return {
      agentId,
      isDefault: i === 0,
      heartbeat: { enabled: false, everyMs: null },
      sessions: { path: indexPath(d, agentId, view), count: mine.length, recent: recent(mine, now) },
    };
  });
  return { agents, sessions: agents[0]?.sessions ?? { path: REDACTED_PATH, count: 0, recent: [] } };
}
