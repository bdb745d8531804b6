export { type HoldfastPaths, resolvePaths, expandTilde } from "./paths.js";
export { agentRoster, type AgentRoster } from "./agent-roster.js";
export { type LoadedConfig, loadConfig, parseConfigText, validateConfig } from "./load.js";
export { normalizeConfig } from "./normalize.js";
export { substituteEnv, hasEnvReference } from "./env-substitution.js";
export { updateConfigFile, getAtPath, setAtPath, splitKeyPath, parseCliValue } from "./write.js";
export { ConfigSchema, type HoldfastConfig } from "./schema/root.js";
export {
  type SecretRef,
  type SecretInput,
  SecretRefSchema,
  type ToolPolicyConfig,
  COMPAT_SCHEMAS,
} from "./schema/common.js";
export { type GatewayConfig } from "./schema/gateway.js";
export {
  type ChannelsConfig,
  type TelegramChannelConfig,
  type GroupEntry,
  POLICY_CHANNEL_IDS,
  type PolicyChannelId,
} from "./schema/channels.js";
export { type AgentEntry, type AgentsConfig, type BindingConfig, compileMentionPattern } from "./schema/agents.js";
export { type SandboxConfig } from "./schema/sandbox.js";
export { type ToolsConfig } from "./schema/tools.js";
export { type ProviderConfig } from "./schema/misc.js";
