import type { HoldfastConfig, SecretRef } from "../config/index.js";

type ProvidersConfig = NonNullable<NonNullable<HoldfastConfig["secrets"]>["providers"]>;
/** The settings of one `secrets.providers.<alias>` entry. */
export type SecretProviderConfig = ProvidersConfig[string];

const ENV_ID = /^[A-Z][A-Z0-9_]{0,127}$/;
const EXEC_ID = /^[A-Za-z0-9][A-Za-z0-9._:/#-]{0,255}$/;

/** The default alias of a source: `secrets.defaults.<source>`, else `default`. */
export function defaultAlias(config: HoldfastConfig, source: SecretRef["source"]): string {
  return config.secrets?.defaults?.[source] ?? "default";
}

/**
 * Finds the provider a ref names. `env` refs may use the default alias without a
 * `secrets.providers` entry; `file`/`exec` refs (and other aliases) need an entry with the same
 * source. Source: reference §8.1 "Provider resolution".
 * @returns the provider settings, or a reason it cannot be used.
 */
export function providerFor(
  config: HoldfastConfig,
  ref: SecretRef,
): { ok: true; settings: SecretProviderConfig } | { ok: false; reason: string } {
  const entry = config.secrets?.providers?.[ref.provider];
  if (entry) {
    if (entry.source !== ref.source)
      return {
        ok: false,
        reason: `secrets.providers.${ref.provider} has source "${entry.source}", not "${ref.source}"`,
      };
    return { ok: true, settings: entry };
  }
  if (ref.source === "env" && ref.provider === defaultAlias(config, "env"))
    return { ok: true, settings: { source: "env" } };
  return { ok: false, reason: `no provider secrets.providers.${ref.provider} is configured` };
}

/**
 * Checks a ref id against its source's grammar (reference §8.1): env ids `^[A-Z][A-Z0-9_]{0,127}$`;
 * file ids a JSON pointer (`/a/b`) or `value`; exec ids `^[A-Za-z0-9][A-Za-z0-9._:/#-]{0,255}$`
 * without `.`/`..` segments. Returns a reason, or undefined when valid.
 */
export function invalidIdReason(ref: SecretRef): string | undefined {
  if (ref.source === "env") return ENV_ID.test(ref.id) ? undefined : `env ids must match ${ENV_ID.source}`;
  if (ref.source === "file")
    return ref.id === "value" || ref.id.startsWith("/")
      ? undefined
      : `file ids are JSON pointers such as "/providers/openai/apiKey" (or "value")`;
  if (!EXEC_ID.test(ref.id) || ref.id.split("/").some((s) => s === "." || s === ".."))
    return `exec ids must match ${EXEC_ID.source} without . or .. segments`;
  return undefined;
}

/** `"$NAME"` in a secret field is shorthand for an env ref to NAME (reference §8.1); returns NAME. */
export function envShorthand(value: string): string | undefined {
  const m = /^\$([A-Z][A-Z0-9_]{0,127})$/.exec(value);
  return m ? m[1] : undefined;
}
