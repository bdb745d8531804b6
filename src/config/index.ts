export { type HoldfastPaths, resolvePaths, expandTilde } from "./paths.js";
export { agentRoster, type AgentRoster } from "./agent-roster.js";
export { type LoadedConfig, loadConfig, parseConfigText, validateConfig } from "./load.js";
export { normalizeConfig } from "./normalize.js";
export { substituteEnv, hasEnvReference } from "./env-substitution.js";
export { updateConfigFile, getAtPath, setAtPath, parseCliValue } from "./write.js";
export type { HoldfastConfig } from "./schema/root.js";
export { type SecretRef, type SecretInput, SecretRefSchema, type ToolPolicyConfig } from "./schema/common.js";
export {
  type TelegramChannelConfig,
  type SlackChannelConfig,
  type SlackChannelEntry,
  type DiscordChannelConfig,
  type DiscordGuildEntry,
  type WhatsAppChannelConfig,
  type GroupEntry,
  POLICY_CHANNEL_IDS,
  type PolicyChannelId,
} from "./schema/channels.js";
export { type AgentEntry, type BindingConfig, compileMentionPattern } from "./schema/agents.js";
export type { SandboxConfig } from "./schema/sandbox.js";
export type { ProviderConfig } from "./schema/misc.js";
