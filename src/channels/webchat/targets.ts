import { HoldfastError } from "../../errors/index.js";
import { canonicalSessionKey, mainSessionKey, type SessionStore } from "../../sessions/index.js";

/** A session a gateway client addresses: its canonical key and owning agent. */
export interface SessionTarget {
  readonly key: string;
  readonly agentId: string;
}

/**
 * Canonicalizes a client's session key under `agentId` when given (a bare key names that agent's
 * session), else the default agent (`main` → `agent:<default>:main`).
 * @throws HoldfastError HF_SESSION_KEY_INVALID for a malformed key or an agent that does not exist.
 */
export function sessionTarget(agentIds: readonly string[], key: string, agentId?: string): SessionTarget {
  const parsed = canonicalSessionKey(key, agentId ?? agentIds[0] ?? "main");
  if (!agentIds.includes(parsed.agentId))
    throw new HoldfastError(
      "HF_SESSION_KEY_INVALID",
      `unknown agent "${parsed.agentId}" in session key (known: ${agentIds.join(", ")})`,
    );
  return { key: parsed.key, agentId: parsed.agentId };
}

/**
 * Resolves the target of an `agent` request (reference: `agentId | sessionKey | sessionId`):
 * a session key wins; then a session id of an existing session; then the agent's main session
 * (the default agent when none is named).
 * @throws HoldfastError HF_SESSION_KEY_INVALID (bad key, unknown agent), HF_SESSION_NOT_FOUND
 *   (no session has that id).
 */
export async function agentTarget(
  agentIds: readonly string[],
  store: Pick<SessionStore, "list">,
  p: { readonly agentId?: string; readonly sessionKey?: string; readonly sessionId?: string },
): Promise<SessionTarget> {
  if (p.sessionKey) {
    const t = sessionTarget(agentIds, p.sessionKey);
    if (p.agentId && p.agentId !== t.agentId)
      throw new HoldfastError(
        "HF_SESSION_KEY_INVALID",
        `session key ${t.key} belongs to agent "${t.agentId}", not "${p.agentId.slice(0, 64)}"`,
      );
    return t;
  }
  if (p.sessionId) {
    const meta = (await store.list(p.agentId)).find((m) => m.sessionId === p.sessionId);
    if (!meta)
      throw new HoldfastError(
        "HF_SESSION_NOT_FOUND",
        `no session has id ${p.sessionId.slice(0, 64)} (see: sessions.list)`,
      );
    return sessionTarget(agentIds, meta.key);
  }
  const agentId = p.agentId ?? agentIds[0] ?? "main";
  return sessionTarget(agentIds, mainSessionKey(agentId));
}
