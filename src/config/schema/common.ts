import { z } from "zod";

// holdfast parses most schemas once or a few times per message; zod's JIT compile of object schemas
// costs more at start-up (the config) than it saves later, so parsing runs interpreted.
z.config({ jitless: true });

/**
 * A reference to a secret held outside the config. Source: reference openclaw-semantics.md §8.1,
 * seeds security-reference.md "Secrets Management".
 * - `env`: `id` is an environment variable name.
 * - `file`: `id` is a JSON pointer into the provider's file (or `value` for single-value files).
 * - `exec`: `id` is passed to the provider's command.
 */
export const SecretRefSchema = z.strictObject({
  source: z.enum(["env", "file", "exec"]),
  provider: z.string().regex(/^[a-z][a-z0-9_-]{0,63}$/, "provider must match ^[a-z][a-z0-9_-]{0,63}$"),
  id: z.string().min(1).max(256),
});
export type SecretRef = z.infer<typeof SecretRefSchema>;

/** A secret-bearing value: a plain string (possibly `${ENV}`-substituted) or a {@link SecretRef}. */
export const SecretInputSchema = z.union([z.string(), SecretRefSchema]);
export type SecretInput = z.infer<typeof SecretInputSchema>;

/** Schemas made by {@link compat}; the loader walks the config and warns where one is set. */
export const COMPAT_SCHEMAS = new WeakSet<z.ZodType>();

/** A config value holdfast accepts for OpenClaw compatibility but does not act on (loader warns). */
export function compat(): z.ZodOptional<z.ZodUnknown> {
  const s = z.unknown().optional();
  COMPAT_SCHEMAS.add(s);
  return s;
}

/** Sender / group ids: strings, or numbers (Telegram ids are often written unquoted). */
export const IdListSchema = z.array(z.union([z.string(), z.number()]));

/** A tool allow/deny policy layer. Names are validated against the tool catalogue by the tools stage. */
export const ToolPolicySchema = z.strictObject({
  profile: z.enum(["minimal", "coding", "messaging", "full"]).optional(),
  allow: z.array(z.string()).optional(),
  alsoAllow: z.array(z.string()).optional(),
  deny: z.array(z.string()).optional(),
});
export type ToolPolicyConfig = z.infer<typeof ToolPolicySchema>;

/** Refines a tool policy: `allow` and `alsoAllow` in one scope is an error (reference §1.5). */
export function noAllowWithAlsoAllow(
  p: { allow?: string[] | undefined; alsoAllow?: string[] | undefined },
  ctx: z.RefinementCtx,
): void {
  if (p.allow !== undefined && p.alsoAllow !== undefined) {
    ctx.addIssue({
      code: "custom",
      message:
        "tools cannot set both allow and alsoAllow in the same scope (merge alsoAllow into allow, or remove allow and use profile + alsoAllow)",
    });
  }
}

export const DmScopeSchema = z.enum(["main", "per-peer", "per-channel-peer", "per-account-channel-peer"]);
export const DmPolicySchema = z.enum(["pairing", "allowlist", "open", "disabled"]);
export const GroupPolicySchema = z.enum(["open", "allowlist", "disabled"]);
