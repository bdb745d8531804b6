import { z } from "zod";
import { parseRedactPattern } from "../../logging/index.js";
import { compat, DmScopeSchema, SecretInputSchema } from "./common.js";
import { DurationSchema } from "../duration.js";

/**
 * `session.maintenance`: whole-session retention. `mode` enforce (default) removes, warn only reports;
 * `pruneAfter` (default "30d") archives sessions idle that long; `maxEntries` (default 5000) archives the
 * least recently updated beyond that many; `maxDiskBytes` (optional) purges archives, then the oldest
 * sessions, until transcripts fit. holdfast additions: `archiveRetention` (default "30d") purges deleted-session
 * archives older than that, `mediaRetention` (default "7d") inbound media. Source: reference §5.3; issue
 * "Data lifecycle" (archives 30 days, media 7 days).
 */
export const SessionMaintenanceSchema = z.strictObject({
  mode: z.enum(["enforce", "warn"]).optional(),
  pruneAfter: DurationSchema.optional(),
  maxEntries: z.number().int().min(1).optional(),
  maxDiskBytes: z.number().int().min(1).optional(),
  archiveRetention: DurationSchema.optional(),
  mediaRetention: DurationSchema.optional(),
  archiveDashboardAfter: compat(),
  preserveRecent: compat(),
});
export type SessionMaintenanceConfig = z.infer<typeof SessionMaintenanceSchema>;

/**
 * `session.reset`: start a fresh session (the old transcript archived) `daily` at `atHour` (0-23, default 4,
 * local time of the gateway host) or when `idle` for `idleMinutes`; `none` (default) never. Source: reference §5.3.
 */
export const SessionResetSchema = z
  .strictObject({
    mode: z.enum(["none", "daily", "idle"]).optional(),
    atHour: z.number().int().min(0).max(23).optional(),
    idleMinutes: z.number().int().min(1).optional(),
  })
  .refine((r) => r.mode !== "idle" || r.idleMinutes !== undefined, {
    message: 'session.reset.mode "idle" needs session.reset.idleMinutes',
    path: ["idleMinutes"],
  });
export type SessionResetConfig = z.infer<typeof SessionResetSchema>;

/** `session.*`. holdfast default dmScope: "per-channel-peer" (reference §5.2 default is "main"). */
export const SessionSchema = z.strictObject({
  dmScope: DmScopeSchema.optional(),
  identityLinks: z.record(z.string(), z.array(z.string())).optional(),
  scope: z.enum(["per-sender", "global"]).optional(),
  groupScope: z.enum(["group", "main"]).optional(),
  mainKey: compat(),
  reset: SessionResetSchema.optional(),
  resetByType: compat(),
  resetByChannel: compat(),
  maintenance: SessionMaintenanceSchema.optional(),
  sendPolicy: compat(),
  store: compat(),
  typingMode: compat(),
  agentToAgent: compat(),
});

/** One `logging.redactPatterns` entry: must compile and be safe from catastrophic backtracking. */
const RedactPatternSchema = z.string().superRefine((text, ctx) => {
  const parsed = parseRedactPattern(text);
  if (!parsed.ok)
    ctx.addIssue({ code: "custom", message: `redact pattern ${JSON.stringify(text.slice(0, 60))}: ${parsed.reason}` });
});

/**
 * `logging.*`. Defaults: level "info", file `<stateDir>/logs/holdfast-YYYY-MM-DD.log` (a new file each
 * UTC day, `maxFiles` 7 days kept; a configured `file` keeps archives of the same days), redactSensitive
 * "tools", consoleStyle pretty in a terminal and compact otherwise. Source: seeds security-architecture.md "Logging & Auditing"; the secrets issue;
 * reference §1.7 (`logging.file`, `maxFileBytes`).
 */
export const LoggingSchema = z.strictObject({
  level: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).optional(),
  consoleLevel: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).optional(),
  file: z.string().min(1).optional(),
  redactSensitive: z.enum(["off", "tools"]).optional(),
  redactPatterns: z.array(RedactPatternSchema).max(100).optional(),
  maxFileBytes: z.number().int().min(1024).optional(),
  maxFiles: z.number().int().min(1).max(3650).optional(),
  consoleStyle: z.enum(["pretty", "compact", "json"]).optional(),
});

/** `discovery.*` (mDNS). */
export const DiscoverySchema = z.strictObject({
  mdns: z.strictObject({ mode: z.enum(["off", "minimal", "full"]).optional() }).optional(),
  wideArea: compat(),
});

/** One model entry under `models.providers.<id>.models`. */
const ModelEntrySchema = z.union([
  z.string().min(1),
  z.strictObject({
    id: z.string().min(1),
    name: z.string().optional(),
    contextWindow: z.number().int().positive().optional(),
    maxTokens: z.number().int().positive().optional(),
    reasoning: z.boolean().optional(),
    input: compat(),
    cost: compat(),
    compat: compat(),
  }),
]);

/** `models.providers.<id>`. Source: reference (models.providers) and the gateway issue. */
export const ProviderSchema = z.strictObject({
  baseUrl: z.string().url().optional(),
  api: z.enum(["openai-completions", "anthropic-messages", "ollama"]).optional(),
  apiKey: SecretInputSchema.optional(),
  headers: z.record(z.string(), z.string()).optional(),
  models: z.array(ModelEntrySchema).optional(),
  auth: compat(),
  authHeader: compat(),
});
export type ProviderConfig = z.infer<typeof ProviderSchema>;

export const ModelsSchema = z.strictObject({
  mode: z.enum(["merge", "replace"]).optional(),
  providers: z
    .record(
      z.string().regex(/^[a-z0-9][a-z0-9_-]{0,63}$/, "provider ids are lowercase letters, digits, - and _"),
      ProviderSchema,
    )
    .optional(),
});

/** `secrets.providers.<alias>` for file/exec SecretRefs. Source: reference §8.1. */
export const SecretProviderSchema = z.discriminatedUnion("source", [
  z.strictObject({ source: z.literal("env"), allowlist: z.array(z.string()).optional() }),
  z.strictObject({
    source: z.literal("file"),
    path: z.string().min(1),
    mode: z.enum(["json", "singleValue"]).optional(),
    timeoutMs: z.number().int().min(1).optional(),
    maxBytes: z.number().int().min(1).optional(),
  }),
  z.strictObject({
    source: z.literal("exec"),
    command: z.string().min(1),
    args: z.array(z.string()).optional(),
    timeoutMs: z.number().int().min(1).max(120_000).optional(),
    maxOutputBytes: z.number().int().min(1).optional(),
    passEnv: z.array(z.string()).optional(),
    env: z.record(z.string(), z.string()).optional(),
    jsonOnly: z.boolean().optional(),
    trustedDirs: z.array(z.string()).optional(),
  }),
]);

export const SecretsSchema = z.strictObject({
  providers: z.record(z.string(), SecretProviderSchema).optional(),
  defaults: z
    .strictObject({ env: z.string().optional(), file: z.string().optional(), exec: z.string().optional() })
    .optional(),
});

/** `commands.*`: who may use chat commands such as /approve and /elevated. */
export const CommandsSchema = z.strictObject({
  ownerAllowFrom: z.array(z.string()).optional(),
  allowFrom: z.record(z.string(), z.array(z.union([z.string(), z.number()]))).optional(),
  text: z.boolean().optional(),
  bash: z.boolean().optional(),
  config: z.boolean().optional(),
  debug: z.boolean().optional(),
  restart: z.boolean().optional(),
  native: compat(),
  nativeSkills: compat(),
  plugins: compat(),
  mcp: compat(),
  useAccessGroups: compat(),
});

/** `security.*` (audit suppressions). */
/**
 * `storage`: encryption at rest. `encryption.key` is the secret the key-encryption key is derived
 * from (scrypt); it is only read when the state dir is encrypted (`holdfast encryption enable`), and
 * `security audit` warns when it is set while encryption is off. Source: issue "Encryption at rest".
 */
export const StorageSchema = z.strictObject({
  encryption: z.strictObject({ key: SecretInputSchema.optional() }).optional(),
});

export const SecuritySchema = z.strictObject({
  audit: z
    .strictObject({
      suppressions: z
        .array(
          z.strictObject({
            checkId: z.string(),
            titleIncludes: z.string().optional(),
            detailIncludes: z.string().optional(),
            reason: z.string().optional(),
          }),
        )
        .optional(),
    })
    .optional(),
});
