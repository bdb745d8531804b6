export { type HoldfastPaths, resolvePaths, expandTilde } from "./paths.js";
export { agentIdsOf, agentRoster, type AgentRoster } from "./agent-roster.js";
export { type LoadedConfig, loadConfig, parseConfigText, validateConfig } from "./load.js";
export { normalizeConfig } from "./normalize.js";
export { substituteEnv, hasEnvReference, standInEnv, ENV_STAND_IN } from "./env-substitution.js";
export { ENV_ALIASES, withEnvAliases, applyEnvAliases } from "./env-aliases.js";
export { updateConfigFile, getAtPath, setAtPath, parseCliValue, changedKeyPaths } from "./write.js";
export type { HoldfastConfig } from "./schema/root.js";
export { type SecretRef, type SecretInput, SecretRefSchema, type ToolPolicyConfig } from "./schema/common.js";
export {
  type TelegramChannelConfig,
  type SlackChannelConfig,
  type SlackChannelEntry,
  type DiscordChannelConfig,
  type DiscordGuildEntry,
  type SignalChannelConfig,
  type BlueBubblesChannelConfig,
  type WhatsAppChannelConfig,
  type GroupEntry,
  POLICY_CHANNEL_IDS,
  type PolicyChannelId,
} from "./schema/channels.js";
export {
  type AgentEntry,
  type BindingConfig,
  type SessionPruningConfig,
  compileMentionPattern,
} from "./schema/agents.js";
export { parseDurationMs, DurationSchema, type Duration } from "./duration.js";
export type { SandboxConfig } from "./schema/sandbox.js";
export type { ProviderConfig, SessionMaintenanceConfig, SessionResetConfig } from "./schema/misc.js";
export { unknownSegment } from "./schema-keys.js";
export { ConfigSchema } from "./schema/root.js";
export {
  HOOKS_MAX_BODY_BYTES,
  GOOGLE_JWKS_URL,
  GOOGLE_TOKEN_URL,
  GMAIL_API_BASE_URL,
  type HooksConfig,
  type GmailHookConfig,
} from "./schema/hooks.js";
