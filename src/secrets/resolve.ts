import type { HoldfastConfig, SecretInput, SecretRef } from "../config/index.js";
import { HoldfastError } from "../errors/index.js";
import { listSecretSlots } from "./secret-paths.js";

/** Resolves one SecretRef to its value. Implementations exist per source (env, file, exec). */
export type RefResolver = (ref: SecretRef, at: string) => Promise<string>;

/**
 * The resolved secrets of one config, taken at start-up (and swapped whole on reload). Values are held
 * only here; nothing else keeps a copy, and `values()` feeds the log/outbound redactors.
 */
export class SecretsSnapshot {
  constructor(private readonly byPath: ReadonlyMap<string, string>) {}

  /** The resolved value at a config key path (e.g. `models.providers.openai.apiKey`). */
  get(path: string): string | undefined {
    return this.byPath.get(path);
  }

  /** Every resolved secret value (for redaction), longest first. */
  values(): string[] {
    return [...new Set(this.byPath.values())].filter((v) => v.length >= 4).sort((a, b) => b.length - a.length);
  }

  /** Key paths that hold a secret. */
  paths(): string[] {
    return [...this.byPath.keys()];
  }
}

/** Resolves a `{source:"env"}` ref from `env`. */
export function envRefResolver(env: NodeJS.ProcessEnv): RefResolver {
  return async (ref, at) => {
    const value = env[ref.id];
    if (value === undefined || value === "") {
      throw new HoldfastError("HF_SECRET_UNRESOLVED", `${at} SecretRef is unresolved (${ref.source}:${ref.provider}:${ref.id}).`, { path: at });
    }
    return value;
  };
}

/**
 * Resolves every secret slot of `config` into a {@link SecretsSnapshot}. Plain strings are taken as-is
 * (they were already `${ENV}`-substituted by the loader); refs go to the resolver of their source.
 * @throws HoldfastError HF_SECRET_UNRESOLVED for the first ref that cannot be resolved (message names
 *   the key path and the ref, never a value).
 */
export async function resolveSecrets(config: HoldfastConfig, resolvers: Partial<Record<SecretRef["source"], RefResolver>>): Promise<SecretsSnapshot> {
  const map = new Map<string, string>();
  for (const slot of listSecretSlots(config)) {
    const value = await resolveInput(slot.value, slot.path, resolvers);
    if (value !== undefined) map.set(slot.path, value);
  }
  return new SecretsSnapshot(map);
}

async function resolveInput(input: SecretInput, at: string, resolvers: Partial<Record<SecretRef["source"], RefResolver>>): Promise<string | undefined> {
  if (typeof input === "string") return input === "" ? undefined : input;
  const resolver = resolvers[input.source];
  if (!resolver) {
    throw new HoldfastError("HF_SECRET_UNRESOLVED", `${at} SecretRef is unresolved (${input.source}:${input.provider}:${input.id}): no resolver for source "${input.source}".`, { path: at });
  }
  const value = await resolver(input, at);
  if (value === "") throw new HoldfastError("HF_SECRET_UNRESOLVED", `${at} SecretRef resolved to an empty value.`, { path: at });
  return value;
}
