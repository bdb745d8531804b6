import { HoldfastError } from "../errors/index.js";

const AGENT_ID = /^[a-z0-9][a-z0-9_-]{0,63}$/;
const REST = /^[a-z0-9:_\-.+@#=]{1,400}$/;

/** A parsed session key `agent:<agentId>:<rest>`. Source: reference openclaw-semantics.md §5.2. */
export interface ParsedSessionKey {
  readonly key: string;
  readonly agentId: string;
  readonly rest: string;
}

/**
 * Canonicalizes a session key given by a client: lowercased; `main` or any key without the `agent:`
 * prefix is placed under `defaultAgentId` (`demo` → `agent:main:demo`).
 * @throws HoldfastError HF_SESSION_KEY_INVALID when the key has characters outside
 *   `[a-z0-9:_-.+@#=]`, an invalid agent id, or is longer than 400 characters.
 */
export function canonicalSessionKey(input: string, defaultAgentId = "main"): ParsedSessionKey {
  const lower = input.trim().toLowerCase();
  const full = lower.startsWith("agent:") ? lower : `agent:${defaultAgentId}:${lower}`;
  const m = /^agent:([^:]+):(.+)$/.exec(full);
  if (!m || !AGENT_ID.test(m[1] as string) || !REST.test(m[2] as string)) {
    throw new HoldfastError(
      "HF_SESSION_KEY_INVALID",
      `invalid session key "${input.slice(0, 80)}": expected agent:<agentId>:<name> using a-z 0-9 : _ - . + @ # =`,
    );
  }
  return { key: full, agentId: m[1] as string, rest: m[2] as string };
}

/** The main session key of an agent: `agent:<agentId>:main`. */
export function mainSessionKey(agentId: string): string {
  return `agent:${agentId}:main`;
}
