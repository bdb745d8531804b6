import { HOOKS_MAX_BODY_BYTES, type HoldfastConfig } from "../config/index.js";
import { HoldfastError } from "../errors/index.js";
import { secretEquals } from "../infra/index.js";
import { canonicalSessionKey } from "../sessions/index.js";
import { gmailSettings } from "./gmail.js";
import { hookTarget, sessionKeyAllowed, type HookSettings } from "./requests.js";

export type { HookDelivery, HookSettings } from "./requests.js";

/** Fewest characters of a hooks token (the audit's `hooks.token_too_short` threshold, reference §9.4). */
export const HOOKS_MIN_TOKEN_CHARS = 24;
/** Default mount point of the webhook routes. Source: reference §10.1. */
export const DEFAULT_HOOKS_PATH = "/hooks";
/** How long a webhook body may take to arrive (ms). Source: reference §10.1 (30 s). */
export const HOOKS_READ_TIMEOUT_MS = 30_000;

/** The webhook path `path` normalized: trailing slashes removed (`"/"` becomes `""`). */
export function normalizeHooksPath(path: string | undefined): string {
  return (path ?? DEFAULT_HOOKS_PATH).replace(/\/+$/, "");
}

/** The settings of `hooks`, or undefined while `hooks.enabled` is not true. */
export function hookSettings(config: HoldfastConfig): HookSettings | undefined {
  const h = config.hooks;
  if (h?.enabled !== true) return undefined;
  const agents = h.allowedAgentIds;
  return {
    basePath: normalizeHooksPath(h.path),
    maxBodyBytes: h.maxBodyBytes ?? HOOKS_MAX_BODY_BYTES,
    ...(agents && !agents.includes("*") ? { allowedAgentIds: agents.map((a) => a.toLowerCase()) } : {}),
    ...(h.defaultSessionKey ? { defaultSessionKey: h.defaultSessionKey } : {}),
    allowRequestSessionKey: h.allowRequestSessionKey === true,
    allowedSessionKeyPrefixes: (h.allowedSessionKeyPrefixes ?? []).map((p) => p.toLowerCase()),
    ...(h.deliver ? { deliver: h.deliver } : {}),
  };
}

/** What {@link checkHooksSettings} looks at. */
export interface HooksCheckInput {
  readonly config: HoldfastConfig;
  /** The resolved secrets (`hooks.token`). */
  readonly secrets: { get(path: string): string | undefined };
  /** The gateway's credentials (token, password) the hooks token may not equal. */
  readonly gatewayCredentials: readonly (string | undefined)[];
  /** Agent ids of the roster. */
  readonly agentIds: readonly string[];
}

/**
 * The start refusals of webhook ingress (fail closed, reference §10.1 and §9.4): with `hooks.enabled`,
 * a missing or short token (< {@link HOOKS_MIN_TOKEN_CHARS}), a token equal to a gateway credential,
 * `hooks.path` `"/"`, an unknown agent in `allowedAgentIds`, a `defaultSessionKey` that is malformed,
 * belongs to an agent webhooks may not use or misses `allowedSessionKeyPrefixes`, `hooks.gmail` enabled
 * without `audience` and `serviceAccountEmail`, without exactly one of `oauth` and `accessToken`, with
 * an http:// URL to a host that is not loopback, or with an agent or session key webhooks may not use.
 * Returns what was
 * checked (never the token).
 * @throws HoldfastError HF_HOOKS_CONFIG.
 */
export function checkHooksSettings(input: HooksCheckInput): string {
  const s = hookSettings(input.config);
  if (!s) return "webhooks off (hooks.enabled is not true)";
  const refuse = (why: string) => {
    throw new HoldfastError(
      "HF_HOOKS_CONFIG",
      `${why}; the gateway does not start with hooks.enabled until it is fixed`,
    );
  };
  const token = input.secrets.get("hooks.token");
  if (token === undefined || token === "") refuse("hooks.token is not set");
  else if (token.length < HOOKS_MIN_TOKEN_CHARS)
    refuse(`hooks.token has fewer than ${HOOKS_MIN_TOKEN_CHARS} characters (use 32 random bytes)`);
  else if (input.gatewayCredentials.some((c) => c !== undefined && secretEquals(token, c)))
    refuse("hooks.token equals the gateway token or password (give webhooks their own token)");
  if (s.basePath === "") refuse('hooks.path "/" would shadow every gateway route (use "/hooks")');
  for (const id of s.allowedAgentIds ?? [])
    if (!input.agentIds.includes(id)) refuse(`hooks.allowedAgentIds names unknown agent "${id}"`);
  if (s.defaultSessionKey !== undefined) checkDefaultSessionKey(s, input.agentIds[0] ?? "main", refuse);
  const gmail = gmailSettings(input.config.hooks?.gmail);
  if (typeof gmail === "string") refuse(gmail);
  else if (gmail) {
    const at = gmail.sessionKey ? { ...s, defaultSessionKey: gmail.sessionKey } : s;
    const target = hookTarget(at, { agentId: gmail.agentId }, input.agentIds);
    if (!target.ok) refuse(`hooks.gmail: ${target.error}`);
  }
  return `webhooks on ${s.basePath}/wake and ${s.basePath}/agent`;
}

function checkDefaultSessionKey(s: HookSettings, defaultAgent: string, refuse: (why: string) => void): void {
  let key: ReturnType<typeof canonicalSessionKey> | undefined;
  try {
    key = canonicalSessionKey(s.defaultSessionKey as string, defaultAgent);
  } catch {
    return refuse("hooks.defaultSessionKey is not a valid session key");
  }
  if (s.allowedAgentIds && !s.allowedAgentIds.includes(key.agentId))
    refuse(`hooks.defaultSessionKey belongs to agent "${key.agentId}", which hooks.allowedAgentIds does not list`);
  if (!sessionKeyAllowed(key, s.allowedSessionKeyPrefixes))
    refuse("hooks.defaultSessionKey does not start with one of hooks.allowedSessionKeyPrefixes");
}
