import { z } from "zod";
import { compat, noAllowWithAlsoAllow, SecretInputSchema, ToolPolicySchema } from "./common.js";

/**
 * `tools.taint` (global) and `agents.list[].tools.taint` (per agent, wins): what a turn that read
 * untrusted content may do with dangerous tools. `mode`: `approve` (default; an owner approval naming
 * the source), `deny` (refused, naming the source), `warn` (runs; logged and recorded in the security
 * trail), `off` (no gate; a critical `security audit` finding). See docs/tools.md "Untrusted content".
 */
export const TaintSchema = z.strictObject({ mode: z.enum(["approve", "deny", "warn", "off"]).optional() });

/**
 * `tools.*`. holdfast defaults (applied by the tools stage): profile "coding", exec security
 * "allowlist" + ask "on-miss", approvals expire after 120 s, fs.workspaceOnly true, elevated
 * disabled unless `enabled: true` with an allowFrom list, web_search off without a key, web_fetch
 * refuses private addresses. Tool names in every policy are checked against the catalogue at start.
 * Source: seeds security-reference.md "Tool Access Control"; reference §6.
 */
export const ToolsSchema = ToolPolicySchema.extend({
  byProvider: z.record(z.string(), ToolPolicySchema.superRefine(noAllowWithAlsoAllow)).optional(),
  fs: z.strictObject({ workspaceOnly: z.boolean().optional() }).optional(),
  exec: z
    .strictObject({
      security: z.enum(["deny", "allowlist", "full"]).optional(),
      ask: z.enum(["off", "on-miss", "always"]).optional(),
      mode: z.enum(["deny", "allowlist", "ask", "auto", "full"]).optional(),
      host: z.enum(["auto", "sandbox", "gateway", "node"]).optional(),
      /** The host jail of unsandboxed sessions: `on` (default; needs bubblewrap) or `off` (tools run on the host; audited). */
      hostJail: z.enum(["on", "off"]).optional(),
      /** Network of the host jail: `host` (default) or `none`. */
      hostJailNetwork: z.enum(["host", "none"]).optional(),
      askFallback: compat(),
      timeoutSec: z.number().int().min(1).max(86_400).optional(),
      maxOutputBytes: z.number().int().min(1024).max(1_073_741_824).optional(),
      approvalTimeoutMs: z.number().int().min(1000).max(3_600_000).optional(),
      /** Executable patterns (absolute-path glob, or bare name for PATH lookups), optionally with exact args. */
      allowlist: z
        .array(
          z.union([
            z.string().min(1),
            z.strictObject({ pattern: z.string().min(1), args: z.array(z.string()).optional() }),
          ]),
        )
        .optional(),
      safeBins: z.array(z.string()).optional(),
      safeBinTrustedDirs: z.array(z.string()).optional(),
      strictInlineEval: compat(),
      applyPatch: z.strictObject({ workspaceOnly: z.boolean().optional(), enabled: z.boolean().optional() }).optional(),
      node: compat(),
      pathPrepend: compat(),
      notifyOnExit: compat(),
      backgroundMs: compat(),
      safeBinProfiles: compat(),
    })
    .optional(),
  elevated: z
    .strictObject({
      enabled: z.boolean().optional(),
      /** `{ <channel>: [senderIds] }`. A bare list (older docs) is accepted with a warning and grants nothing. */
      allowFrom: z
        .union([z.record(z.string(), z.array(z.union([z.string(), z.number()]))), z.array(z.string())])
        .optional(),
      /** Every command of an elevated (host) exec asks an approver first (ask "always"). */
      requireApproval: z.boolean().optional(),
    })
    .optional(),
  sandbox: z
    .strictObject({
      tools: z.strictObject({ allow: z.array(z.string()).optional(), deny: z.array(z.string()).optional() }).optional(),
    })
    .optional(),
  web: z
    .strictObject({
      search: z
        .strictObject({
          enabled: z.boolean().optional(),
          provider: z.enum(["brave", "tavily"]).optional(),
          apiKey: SecretInputSchema.optional(),
          baseUrl: z.string().url().optional(),
          maxResults: z.number().int().min(1).max(20).optional(),
        })
        .optional(),
      fetch: z
        .strictObject({
          enabled: z.boolean().optional(),
          maxBytes: z.number().int().min(1024).max(52_428_800).optional(),
          timeoutMs: z.number().int().min(100).max(120_000).optional(),
          allowPrivateNetwork: z.boolean().optional(),
        })
        .optional(),
    })
    .optional(),
  taint: TaintSchema.optional(),
  sessions: z.strictObject({ visibility: z.enum(["all", "agent", "tree", "self"]).optional() }).optional(),
  agentToAgent: z.strictObject({ enabled: z.boolean().optional(), allow: z.array(z.string()).optional() }).optional(),
  toolsBySender: z.record(z.string(), ToolPolicySchema).optional(),
  media: compat(),
  links: compat(),
  loopDetection: compat(),
  message: compat(),
  subagents: compat(),
}).superRefine(noAllowWithAlsoAllow);
export type ToolsConfig = z.infer<typeof ToolsSchema>;
