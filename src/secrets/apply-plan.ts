import JSON5 from "json5";
import { z } from "zod";
import { SecretRefSchema } from "../config/index.js";
import { HoldfastError } from "../errors/index.js";

/**
 * A `holdfast secrets apply` plan: which secret fields move into which SecretRef, and provider
 * entries to add to `secrets.providers` (checked against the config schema when merged).
 * ```json5
 * { version: 1,
 *   providers: { vault: { source: "file", path: "~/.holdfast/secrets.json" } },
 *   moves: [ { path: "models.providers.openai.apiKey", ref: { source: "file", provider: "vault", id: "/openai" } } ] }
 * ```
 */
export const SecretsPlanSchema = z.strictObject({
  version: z.literal(1),
  providers: z
    .record(z.string().regex(/^[a-z][a-z0-9_-]{0,63}$/), z.looseObject({ source: z.enum(["env", "file", "exec"]) }))
    .optional(),
  moves: z.array(z.strictObject({ path: z.string().min(1), ref: SecretRefSchema })).min(1),
});
export type SecretsPlan = z.infer<typeof SecretsPlanSchema>;

/**
 * Parses a plan file's text (JSON5).
 * @throws HoldfastError HF_SECRETS_PLAN_INVALID naming the file and each bad field.
 */
export function parseSecretsPlan(text: string, source: string): SecretsPlan {
  let raw: unknown;
  try {
    raw = JSON5.parse(text);
  } catch (err) {
    throw new HoldfastError("HF_SECRETS_PLAN_INVALID", `plan ${source} is not valid JSON5: ${(err as Error).message}`, {
      source,
    });
  }
  const parsed = SecretsPlanSchema.safeParse(raw);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `${i.path.map(String).join(".") || "<root>"}: ${i.message}`);
    throw new HoldfastError(
      "HF_SECRETS_PLAN_INVALID",
      `plan ${source} is not valid:\n${lines.map((l) => `  - ${l}`).join("\n")}`,
      { source, issues: lines },
    );
  }
  const seen = new Set<string>();
  for (const m of parsed.data.moves) {
    if (seen.has(m.path))
      throw new HoldfastError("HF_SECRETS_PLAN_INVALID", `plan ${source} moves ${m.path} twice`, { source });
    seen.add(m.path);
  }
  return parsed.data;
}
