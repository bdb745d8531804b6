import { compileMentionPattern, type AgentEntry } from "../config/index.js";
import { escapeRegExp } from "../infra/index.js";
import type { AccessPolicy } from "./policy.js";

const INVISIBLE = /[\u200B-\u200F\u202A-\u202E\u2060-\u206F]/g;

/** Text as mention patterns see it: zero-width and bidi control characters removed, lowercased. */
export function normalizeMentionText(text: string): string {
  return text.replace(INVISIBLE, "").toLowerCase();
}

/**
 * The mention regexes of an agent. Precedence (reference §4.5): `groupChat.mentionPatterns` when the
 * key is present (even `[]`, which disables derivation), else derived from `identity.name`
 * (word-bounded, `@` optional, Unicode-aware) and `identity.emoji`. Invalid or unsafe patterns are
 * rejected at config load; here they are skipped defensively.
 */
export function mentionRegexesFor(agent: AgentEntry | undefined): RegExp[] {
  const configured = agent?.groupChat?.mentionPatterns;
  if (configured !== undefined) return configured.flatMap((p) => compileOrSkip(p));
  const out: RegExp[] = [];
  const name = agent?.identity?.name?.trim();
  if (name)
    out.push(new RegExp(`(?:^|[^\\p{L}\\p{N}_])@?${escapeRegExp(name.toLowerCase())}(?![\\p{L}\\p{N}_])`, "iu"));
  const emoji = agent?.identity?.emoji?.trim();
  if (emoji) out.push(new RegExp(escapeRegExp(emoji), "u"));
  return out;
}

function compileOrSkip(p: string): RegExp[] {
  try {
    return [compileMentionPattern(p)];
  } catch {
    return [];
  }
}

/**
 * Whether agent mention patterns apply in a conversation under the channel's scoping
 * (`channels.<ch>.mentionPatterns`): `denyIn` wins; mode `deny` applies them only in `allowIn`.
 */
export function patternsApplyIn(policy: AccessPolicy, chatId: string): boolean {
  const scope = policy.mentionScope;
  if (!scope) return true;
  if (scope.denyIn?.includes(chatId)) return false;
  if (scope.mode === "deny") return scope.allowIn?.includes(chatId) === true;
  return true;
}

/** True when one of `regexes` matches the normalized `text`. */
export function matchesMentionPattern(regexes: readonly RegExp[], text: string): boolean {
  if (regexes.length === 0 || text === "") return false;
  const t = normalizeMentionText(text);
  return regexes.some((re) => {
    re.lastIndex = 0;
    return re.test(t);
  });
}
