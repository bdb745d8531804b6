import safeRegex from "safe-regex2";
import { z } from "zod";
import { compat, noAllowWithAlsoAllow, ToolPolicySchema } from "./common.js";
import { SandboxSchema } from "./sandbox.js";
import { TaintSchema } from "./tools.js";
import { DurationSchema } from "../duration.js";
import { HoldfastError } from "../../errors/index.js";

/** `"<provider>/<model>"` or `{primary, fallbacks}`. */
export const ModelSelectionSchema = z.union([
  z.string().min(3),
  z.strictObject({ primary: z.string().min(3).optional(), fallbacks: z.array(z.string().min(3)).optional() }),
]);

const AgentToolsSchema = ToolPolicySchema.extend({
  byProvider: z.record(z.string(), ToolPolicySchema).optional(),
  elevated: z
    .strictObject({
      enabled: z.boolean().optional(),
      allowFrom: z.record(z.string(), z.array(z.union([z.string(), z.number()]))).optional(),
    })
    .optional(),
  sandbox: z
    .strictObject({
      tools: z.strictObject({ allow: z.array(z.string()).optional(), deny: z.array(z.string()).optional() }).optional(),
    })
    .optional(),
  taint: TaintSchema.optional(),
}).superRefine(noAllowWithAlsoAllow);

/**
 * Compiles one `groupChat.mentionPatterns` entry: case-insensitive (`i`); a literal backspace character
 * (what `"\b"` becomes in JSON) is read as the word boundary `\b`.
 * @throws HoldfastError HF_CONFIG_INVALID naming the problem when the pattern is not a valid regex, or is ReDoS-prone (nested
 *   repetition, checked with safe-regex2). Source: reference §4.5.
 */
export function compileMentionPattern(pattern: string): RegExp {
  const source = pattern.replaceAll("\u0008", "\\b");
  let re: RegExp;
  try {
    re = new RegExp(source, "i");
  } catch (err) {
    throw new HoldfastError("HF_CONFIG_INVALID", `invalid regex ${JSON.stringify(pattern)}: ${(err as Error).message}`);
  }
  if (!safeRegex(re))
    throw new HoldfastError(
      "HF_CONFIG_INVALID",
      `unsafe regex ${JSON.stringify(pattern)}: nested repetition can stall message handling (ReDoS); simplify the pattern`,
    );
  return re;
}

const MentionPatternsSchema = z.array(z.string().min(1).max(500)).superRefine((patterns, ctx) => {
  patterns.forEach((p, i) => {
    try {
      compileMentionPattern(p);
    } catch (err) {
      ctx.addIssue({ code: "custom", path: [i], message: (err as Error).message });
    }
  });
});

const GroupChatSchema = z.strictObject({
  mentionPatterns: MentionPatternsSchema.optional(),
  historyLimit: compat(),
});

/**
 * `sessionPruning` (agents.defaults, or per agent, which wins key by key): trims transcripts, keeping the
 * session. `maxMessages`: keep the newest that many; `maxAge` (`"30d"`): drop messages older than that.
 * Unset: transcripts are kept whole. `strategy`: only `"sliding"` (the oldest messages go first, which is
 * what holdfast does); any other strategy is refused rather than ignored. Source: issue "Data lifecycle"
 * (retention); seeds data-privacy-and-security-policies.md "Configurable Pruning".
 */
export const SessionPruningSchema = z.strictObject({
  maxMessages: z.number().int().min(1).optional(),
  maxAge: DurationSchema.optional(),
  strategy: z.literal("sliding").optional(),
});
export type SessionPruningConfig = z.infer<typeof SessionPruningSchema>;

/** One agent in `agents.list` (or `agents.entries.<id>`). */
export const AgentEntrySchema = z.strictObject({
  id: z.string().min(1).max(64),
  default: z.boolean().optional(),
  name: z.string().optional(),
  workspace: z.string().optional(),
  model: ModelSelectionSchema.optional(),
  systemPrompt: z.string().optional(),
  sandbox: SandboxSchema.optional(),
  tools: AgentToolsSchema.optional(),
  groupChat: GroupChatSchema.optional(),
  identity: z
    .strictObject({ name: z.string().optional(), emoji: z.string().optional(), theme: compat(), avatar: compat() })
    .optional(),
  maxToolIterations: z.number().int().min(1).max(100).optional(),
  sessionPruning: SessionPruningSchema.optional(),
  skills: compat(),
  heartbeat: compat(),
  subagents: compat(),
  memorySearch: compat(),
  humanDelay: compat(),
});
export type AgentEntry = z.infer<typeof AgentEntrySchema>;

/** `agents.defaults`. */
export const AgentDefaultsSchema = z.strictObject({
  model: ModelSelectionSchema.optional(),
  workspace: z.string().optional(),
  systemPrompt: z.string().optional(),
  sandbox: SandboxSchema.optional(),
  maxToolIterations: z.number().int().min(1).max(100).optional(),
  /** Bound on one model call, request to end of stream (s). Default 600. */
  timeoutSeconds: z.number().int().min(1).max(86_400).optional(),
  /** Bound on silence between stream events once a reply has started (s). Default 60. */
  streamIdleTimeoutSeconds: z.number().int().min(1).max(3_600).optional(),
  elevatedDefault: z.enum(["on", "off"]).optional(),
  models: compat(),
  contextPruning: compat(),
  sessionPruning: SessionPruningSchema.optional(),
  compaction: compat(),
  heartbeat: compat(),
  thinkingDefault: compat(),
  verboseDefault: compat(),
  blockStreamingDefault: compat(),
  typingMode: compat(),
  memorySearch: compat(),
  subagents: compat(),
  skipBootstrap: compat(),
  userTimezone: compat(),
  imageModel: compat(),
});

/** `agents.*`: defaults plus the roster (`list`, or OpenClaw 2026.9's keyed `entries`). */
export const AgentsSchema = z.strictObject({
  defaults: AgentDefaultsSchema.optional(),
  list: z.array(AgentEntrySchema).optional(),
  entries: z.record(z.string(), AgentEntrySchema.omit({ id: true }).extend({ id: z.string().optional() })).optional(),
});
export type AgentsConfig = z.infer<typeof AgentsSchema>;

/** `bindings[]`: route a channel/account/peer to an agent (reference §5.2). */
export const BindingSchema = z.strictObject({
  agentId: z.string().min(1),
  match: z.strictObject({
    channel: z.string().min(1),
    accountId: z.string().optional(),
    peer: z.strictObject({ kind: z.enum(["direct", "group", "dm"]), id: z.union([z.string(), z.number()]) }).optional(),
    guildId: compat(),
    teamId: compat(),
  }),
  session: compat(),
});
export type BindingConfig = z.infer<typeof BindingSchema>;
