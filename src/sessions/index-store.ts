import path from "node:path";
import { JsonFileStore } from "../infra/index.js";
import type { SessionMeta } from "./types.js";

/** Shape of `sessions.json`: session key → meta. */
export type SessionIndex = Record<string, SessionMeta>;

function parseIndex(raw: unknown): SessionIndex {
  if (raw === null || typeof raw !== "object" || Array.isArray(raw)) throw new Error("expected an object of session entries");
  const out: SessionIndex = {};
  for (const [key, v] of Object.entries(raw as Record<string, unknown>)) {
    const m = v as Partial<SessionMeta>;
    if (typeof m?.sessionId !== "string" || !/^[a-f0-9-]{36}$/.test(m.sessionId)) throw new Error(`entry ${key} has no valid sessionId`);
    out[key] = { ...(m as SessionMeta), key };
  }
  return out;
}

/** The per-agent `sessions.json` index (mode 600, locked updates). */
export function sessionIndexStore(agentSessionsDir: string): JsonFileStore<SessionIndex> {
  return new JsonFileStore(path.join(agentSessionsDir, "sessions.json"), parseIndex, () => ({}));
}
