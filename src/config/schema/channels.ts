import { z } from "zod";
import {
  compat,
  DmPolicySchema,
  DmScopeSchema,
  GroupPolicySchema,
  IdListSchema,
  SecretInputSchema,
  ToolPolicySchema,
} from "./common.js";

/** Per-group settings under `channels.<ch>.groups.<groupId|"*">`. Source: reference §4.4. */
export const GroupEntrySchema = z.strictObject({
  requireMention: z.boolean().optional(),
  enabled: z.boolean().optional(),
  allowFrom: IdListSchema.optional(),
  tools: ToolPolicySchema.optional(),
  toolsBySender: z.record(z.string(), ToolPolicySchema).optional(),
  topics: compat(),
  systemPrompt: z.string().optional(),
});
export type GroupEntry = z.infer<typeof GroupEntrySchema>;

/** Channel-level scoping of agent mention patterns (reference §4.5). */
const MentionScopeSchema = z.strictObject({
  mode: z.enum(["allow", "deny"]).optional(),
  allowIn: z.array(z.string()).optional(),
  denyIn: z.array(z.string()).optional(),
});

/** Access-control keys every channel account has. Source: seeds security-reference.md "DM Access Control". */
const accessShape = {
  enabled: z.boolean().optional(),
  name: z.string().optional(),
  dmPolicy: DmPolicySchema.optional(),
  allowFrom: IdListSchema.optional(),
  /** Legacy nesting (`dm.policy`, `dm.allowFrom`); migrated by the loader with a warning. */
  dm: z
    .strictObject({
      policy: DmPolicySchema.optional(),
      allowFrom: IdListSchema.optional(),
      enabled: z.boolean().optional(),
    })
    .optional(),
  groupPolicy: GroupPolicySchema.optional(),
  groupAllowFrom: IdListSchema.optional(),
  groups: z.record(z.string(), GroupEntrySchema).optional(),
  mediaMaxMb: z.number().positive().max(2048).optional(),
  textChunkLimit: z.number().int().min(64).max(100_000).optional(),
  dmScope: DmScopeSchema.optional(),
  mentionPatterns: MentionScopeSchema.optional(),
  dangerouslyAllowNameMatching: z.boolean().optional(),
  historyLimit: compat(),
  replyToMode: compat(),
  configWrites: compat(),
  contextVisibility: compat(),
  implicitMentions: compat(),
  ackReaction: compat(),
  streamMode: compat(),
  blockStreaming: compat(),
  chunkMode: compat(),
  capabilities: compat(),
  actions: compat(),
  heartbeat: compat(),
};

/** Builds `channels.<ch>`: account-level keys plus `accounts.<id>` with the same keys. */
function channelSchema<S extends z.ZodRawShape>(extra: S) {
  const account = z.strictObject({ ...accessShape, ...extra });
  return z.strictObject({
    ...accessShape,
    ...extra,
    defaultAccount: z.string().optional(),
    accounts: z.record(z.string(), account).optional(),
  });
}

/** Telegram (grammY). */
export const TelegramChannelSchema = channelSchema({
  botToken: SecretInputSchema.optional(),
  tokenFile: z.string().optional(),
  mode: z.enum(["polling", "webhook"]).optional(),
  webhookUrl: z.string().url().optional(),
  webhookSecret: SecretInputSchema.optional(),
  webhookPath: z.string().startsWith("/").optional(),
  webhookHost: compat(),
  webhookPort: compat(),
  apiRoot: z.string().url().optional(),
  pollingTimeoutSec: z.number().int().min(0).max(50).optional(),
  /** Bound on each Bot API call (s); default long-poll time + 30. */
  timeoutSeconds: z.number().int().min(1).max(600).optional(),
  proxy: compat(),
  customCommands: compat(),
  linkPreview: compat(),
  reactionLevel: compat(),
});
export type TelegramChannelConfig = z.infer<typeof TelegramChannelSchema>;

/**
 * A Slack channel under `channels.slack.channels.<channelId|"*">` (Slack's name for its group allowlist).
 * `users` is OpenClaw's spelling of `allowFrom`; `allow: false` refuses the channel like `enabled: false`.
 */
const SlackChannelEntrySchema = z.strictObject({
  requireMention: z.boolean().optional(),
  allowFrom: IdListSchema.optional(),
  users: IdListSchema.optional(),
  enabled: z.boolean().optional(),
  allow: z.boolean().optional(),
  tools: ToolPolicySchema.optional(),
  toolsBySender: z.record(z.string(), ToolPolicySchema).optional(),
  systemPrompt: z.string().optional(),
});
export type SlackChannelEntry = z.infer<typeof SlackChannelEntrySchema>;

/** Slack (`@slack/bolt`): Socket Mode (default) or the HTTP Events API on the gateway's port. */
export const SlackChannelSchema = channelSchema({
  botToken: SecretInputSchema.optional(),
  appToken: SecretInputSchema.optional(),
  signingSecret: SecretInputSchema.optional(),
  mode: z.enum(["socket", "http"]).optional(),
  webhookPath: z.string().startsWith("/").optional(),
  slackApiUrl: z.string().url().optional(),
  channels: z.record(z.string(), SlackChannelEntrySchema).optional(),
  userToken: compat(),
  userTokenReadOnly: compat(),
  slashCommand: compat(),
  thread: compat(),
  reactionNotifications: compat(),
});
export type SlackChannelConfig = z.infer<typeof SlackChannelSchema>;

/** A guild channel under `channels.discord.guilds.<guildId>.channels.<channelId|"*">`. */
const DiscordGuildChannelSchema = z.strictObject({
  allow: z.boolean().optional(),
  enabled: z.boolean().optional(),
  requireMention: z.boolean().optional(),
});

/** A guild under `channels.discord.guilds.<guildId|"*">`: when `guilds` is set, only listed guilds are admitted. */
const DiscordGuildSchema = z.strictObject({
  requireMention: z.boolean().optional(),
  users: IdListSchema.optional(),
  channels: z.record(z.string(), DiscordGuildChannelSchema).optional(),
  slug: compat(),
  reactionNotifications: compat(),
});
export type DiscordGuildEntry = z.infer<typeof DiscordGuildSchema>;

/** Discord (`discord.js`). */
export const DiscordChannelSchema = channelSchema({
  token: SecretInputSchema.optional(),
  apiRoot: z.string().url().optional(),
  guilds: z.record(z.string(), DiscordGuildSchema).optional(),
  /** Privileged intents OpenClaw can request; holdfast never does (the audit warns when set). */
  intents: z.strictObject({ presence: z.boolean().optional(), guildMembers: z.boolean().optional() }).optional(),
  allowBots: compat(),
});
export type DiscordChannelConfig = z.infer<typeof DiscordChannelSchema>;

/**
 * WhatsApp (Baileys 7; a device linked with `holdfast channels login --channel whatsapp`). `allowFrom`
 * and `groupAllowFrom` are E.164 numbers; `groups` keys are group jids (`…@g.us`). The auth state lives
 * in `<stateDir>/credentials/whatsapp/<accountId>/` (OpenClaw's `authDir` is accepted and ignored).
 */
export const WhatsAppChannelSchema = channelSchema({
  selfChatMode: z.boolean().optional(),
  sendReadReceipts: z.boolean().optional(),
  authDir: compat(),
});
export type WhatsAppChannelConfig = z.infer<typeof WhatsAppChannelSchema>;

// Channels whose policy settings holdfast validates and audits, but does not run yet.
const SignalChannelSchema = channelSchema({
  account: z.string().optional(),
  httpUrl: z.string().optional(),
  cliPath: compat(),
  httpHost: compat(),
  httpPort: compat(),
  autoStart: compat(),
  receiveMode: compat(),
  ignoreAttachments: compat(),
  ignoreStories: compat(),
  sendReadReceipts: compat(),
  reactionNotifications: compat(),
  reactionLevel: compat(),
});
/** Signal through a running `signal-cli daemon --http` (JSON-RPC + SSE). */
export type SignalChannelConfig = z.infer<typeof SignalChannelSchema>;
const IMessageChannelSchema = channelSchema({ cliPath: compat(), dbPath: compat() });
const BlueBubblesChannelSchema = channelSchema({
  serverUrl: z.string().optional(),
  password: SecretInputSchema.optional(),
  webhookPath: z.string().optional(),
  sendReadReceipts: compat(),
});
/** iMessage through a BlueBubbles server (REST out, webhook in on the gateway port). */
export type BlueBubblesChannelConfig = z.infer<typeof BlueBubblesChannelSchema>;

/** `channels.*`. Channel ids follow the reference. */
export const ChannelsSchema = z.strictObject({
  defaults: z.strictObject({ groupPolicy: GroupPolicySchema.optional(), contextVisibility: compat() }).optional(),
  telegram: TelegramChannelSchema.optional(),
  whatsapp: WhatsAppChannelSchema.optional(),
  discord: DiscordChannelSchema.optional(),
  slack: SlackChannelSchema.optional(),
  signal: SignalChannelSchema.optional(),
  imessage: IMessageChannelSchema.optional(),
  bluebubbles: BlueBubblesChannelSchema.optional(),
  msteams: compat(),
  matrix: compat(),
  googlechat: compat(),
  mattermost: compat(),
  irc: compat(),
});
export type ChannelsConfig = z.infer<typeof ChannelsSchema>;

/** Channel ids holdfast knows the access-control shape of. */
export const POLICY_CHANNEL_IDS = [
  "telegram",
  "whatsapp",
  "discord",
  "slack",
  "signal",
  "imessage",
  "bluebubbles",
] as const;
export type PolicyChannelId = (typeof POLICY_CHANNEL_IDS)[number];
