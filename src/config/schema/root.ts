import { z } from "zod";
import { AgentsSchema, BindingSchema, ModelSelectionSchema } from "./agents.js";
import { ChannelsSchema } from "./channels.js";
import { compat } from "./common.js";
import { GatewaySchema } from "./gateway.js";
import { HooksSchema } from "./hooks.js";
import {
  CommandsSchema,
  DiscoverySchema,
  LoggingSchema,
  ModelsSchema,
  SecretsSchema,
  SecuritySchema,
  SessionSchema,
  StorageSchema,
} from "./misc.js";
import { ToolsSchema } from "./tools.js";

/**
 * The whole holdfast config (`holdfast.json`, JSON5). Closed at every level: unknown keys are errors
 * naming their full path. Keys OpenClaw has and holdfast does not act on are typed `unknown` here and
 * listed by the loader as warnings (see compat.ts).
 */
export const ConfigSchema = z.strictObject({
  $schema: z.string().optional(),
  meta: z.strictObject({ lastTouchedVersion: z.string().optional(), lastTouchedAt: z.string().optional() }).optional(),
  gateway: GatewaySchema.optional(),
  channels: ChannelsSchema.optional(),
  agents: AgentsSchema.optional(),
  bindings: z.array(BindingSchema).optional(),
  tools: ToolsSchema.optional(),
  session: SessionSchema.optional(),
  logging: LoggingSchema.optional(),
  discovery: DiscoverySchema.optional(),
  models: ModelsSchema.optional(),
  secrets: SecretsSchema.optional(),
  commands: CommandsSchema.optional(),
  hooks: HooksSchema.optional(),
  security: SecuritySchema.optional(),
  storage: StorageSchema.optional(),
  /** Legacy single-agent block (`agent.model`), migrated to agents.defaults by the loader. */
  agent: z.strictObject({ model: ModelSelectionSchema.optional(), workspace: z.string().optional() }).optional(),
  browser: compat(),
  plugins: compat(),
  skills: compat(),
  cron: compat(),
  automations: compat(),
  messages: compat(),
  ui: compat(),
  canvasHost: compat(),
  talk: compat(),
  wizard: compat(),
  update: compat(),
  env: compat(),
  auth: compat(),
  diagnostics: compat(),
  mcp: compat(),
  approvals: compat(),
  memory: compat(),
  audio: compat(),
  media: compat(),
  web: compat(),
  accessGroups: compat(),
  nodeHost: compat(),
  broadcast: compat(),
});

/** The validated config as holdfast reads it (all keys optional; stages apply defaults). */
export type HoldfastConfig = z.infer<typeof ConfigSchema>;
