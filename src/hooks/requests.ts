import { randomUUID } from "node:crypto";
import { z } from "zod";
import { canonicalSessionKey } from "../sessions/index.js";

/** Where `/hooks/agent` replies go (`hooks.deliver`). */
export interface HookDelivery {
  readonly channel: string;
  readonly to: string;
  readonly accountId?: string;
}

/** `hooks.*` with defaults applied (reference §10.1). */
export interface HookSettings {
  /** The mount point without a trailing slash (`/hooks`). */
  readonly basePath: string;
  /** Largest body read (bytes); default and ceiling 256 KiB. */
  readonly maxBodyBytes: number;
  /** Agents a request may name; undefined = every agent (`*` or unset), `[]` = none. */
  readonly allowedAgentIds?: readonly string[];
  /** The session requests land in when they name none (else `hook:<uuid>` per request). */
  readonly defaultSessionKey?: string;
  /** Whether a request may name its session (default false). */
  readonly allowRequestSessionKey: boolean;
  /** Lowercased prefixes a requested session key must start with (empty: any). */
  readonly allowedSessionKeyPrefixes: readonly string[];
  readonly deliver?: HookDelivery;
}

/** True when `key` (canonical) starts with one of the prefixes, with or without its `agent:<id>:` part. */
export function sessionKeyAllowed(key: { key: string; rest: string }, prefixes: readonly string[]): boolean {
  return prefixes.length === 0 || prefixes.some((p) => key.key.startsWith(p) || key.rest.startsWith(p));
}

/** Longest `message`/`text` a webhook may send (characters; the body itself is bounded at 256 KiB). */
const MAX_TEXT = 200_000;

/** `POST <path>/wake`: a system event into a session. `mode` `now` only: holdfast has no heartbeat. */
export const WakeBodySchema = z.strictObject({
  text: z.string().min(1).max(MAX_TEXT),
  mode: z.literal("now", { message: 'mode must be "now" (holdfast has no heartbeat to wait for)' }).optional(),
  agentId: z.string().min(1).optional(),
  sessionKey: z.string().min(1).optional(),
});

/**
 * `POST <path>/agent`: a turn with a message (reference field names). `deliver` false keeps the reply
 * in the session; the target itself is `hooks.deliver`, never the request's (`channel` and `to` are
 * refused rather than ignored).
 */
export const AgentBodySchema = z.strictObject({
  message: z.string().min(1).max(MAX_TEXT),
  name: z.string().min(1).max(200).optional(),
  agentId: z.string().min(1).optional(),
  sessionKey: z.string().min(1).optional(),
  deliver: z.boolean().optional(),
  wakeMode: z.literal("now", { message: 'wakeMode must be "now"' }).optional(),
  channel: z
    .never({ message: "the reply target is hooks.deliver in the config; a request cannot choose it" })
    .optional(),
  to: z.never({ message: "the reply target is hooks.deliver in the config; a request cannot choose it" }).optional(),
});

/** The agent and session a request runs in, or why it may not. */
export type HookTarget =
  | { readonly ok: true; readonly agentId: string; readonly sessionKey: string }
  | { readonly ok: false; readonly error: string };

/**
 * Agent and session of a webhook request (reference §10.1): the requested agent must be in
 * `allowedAgentIds` (unset or `*`: any configured agent; `[]`: none); a requested session key needs
 * `allowRequestSessionKey` and, when set, one of `allowedSessionKeyPrefixes` (case-insensitive);
 * otherwise `defaultSessionKey`, else a new `hook:<uuid>` per request. A session key of another agent
 * than the one named is refused.
 */
export function hookTarget(
  s: HookSettings,
  req: { readonly agentId?: string | undefined; readonly sessionKey?: string | undefined },
  agentIds: readonly string[],
): HookTarget {
  const fallbackAgent = agentIds[0] ?? "main";
  if (req.sessionKey !== undefined && !s.allowRequestSessionKey)
    return { ok: false, error: "sessionKey is not accepted (hooks.allowRequestSessionKey is false)" };
  const rawKey = req.sessionKey ?? s.defaultSessionKey;
  const agentId = (req.agentId ?? (rawKey !== undefined ? keyAgent(rawKey) : undefined) ?? fallbackAgent).toLowerCase();
  if (!agentIds.includes(agentId)) return { ok: false, error: `unknown agent "${agentId.slice(0, 64)}"` };
  if (s.allowedAgentIds && !s.allowedAgentIds.includes(agentId))
    return { ok: false, error: `agent "${agentId}" is not in hooks.allowedAgentIds` };
  let key: ReturnType<typeof canonicalSessionKey>;
  try {
    key = canonicalSessionKey(rawKey ?? `hook:${randomUUID()}`, agentId);
  } catch {
    return { ok: false, error: "sessionKey is not a valid session key" };
  }
  if (key.agentId !== agentId) return { ok: false, error: `sessionKey belongs to agent "${key.agentId}"` };
  if (req.sessionKey !== undefined && !sessionKeyAllowed(key, s.allowedSessionKeyPrefixes))
    return { ok: false, error: "sessionKey does not start with one of hooks.allowedSessionKeyPrefixes" };
  return { ok: true, agentId, sessionKey: key.key };
}

function keyAgent(key: string): string | undefined {
  return /^agent:([^:]+):/i.exec(key.trim())?.[1];
}

/** The issues of a failed body parse as one line (`message: Required; to: ...`). */
export function issuesLine(err: z.ZodError): string {
  return err.issues
    .map((i) => `${i.path.join(".") || "body"}: ${i.message}`)
    .join("; ")
    .slice(0, 500);
}
