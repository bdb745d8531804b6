import { isDeepStrictEqual } from "node:util";
import { BUILT_IN_PROVIDERS } from "../../agent/index.js";
import { getAtPath, setAtPath } from "../../config/index.js";
import { HoldfastError } from "../../errors/index.js";

/** How a secret the user gave ends up in the config. */
export type SecretChoice =
  /** `${NAME}`: the gateway reads it from its environment. */
  | { readonly kind: "env"; readonly name: string }
  /** A file SecretRef into `<stateDir>/credentials/secrets.json` (600); `value` is stored there. */
  | { readonly kind: "file"; readonly value: string }
  /** Written in the config file as it is (the security audit reports it). */
  | { readonly kind: "plain"; readonly value: string };

/** What the onboarding decided (from flags or the wizard). */
export interface OnboardAnswers {
  /** Provider id in `models.providers` (`anthropic`, `openai`, `openrouter`, `ollama`, or a custom id). */
  readonly provider: string;
  /** API of a custom provider. */
  readonly api?: "openai-completions" | "anthropic-messages" | "ollama";
  readonly baseUrl?: string;
  /** Model id without the provider prefix. */
  readonly model: string;
  /** Undefined for providers that need no key (Ollama, keyless local servers). */
  readonly key?: SecretChoice;
  /**
   * Channel accounts to set up: channel id → key → a secret (credentials) or a plain string (settings
   * that are not secret: a phone number, a URL).
   */
  readonly channels: Readonly<Record<string, ChannelAnswers>>;
}

/** One channel account's answers: credential key → secret, setting key → value. */
export type ChannelAnswers = Readonly<Record<string, SecretChoice | string>>;

/** The file SecretRef provider the onboarding adds (`secrets.providers.holdfast`). */
export const FILE_PROVIDER = "holdfast";

/** One config value the onboarding sets. */
export interface ConfigChange {
  readonly path: string;
  readonly value: unknown;
  /** A secret to store in the secrets file at this JSON pointer before the config is written. */
  readonly store?: { readonly pointer: string; readonly value: string };
}

/** What a change does to the current config. */
export type ChangeAction = "set" | "unchanged" | "replaced";

/** The default model of a known provider (`""` for Ollama: ask the local server). */
export function defaultModel(provider: string): string | undefined {
  return BUILT_IN_PROVIDERS[provider]?.defaultModel;
}

/** The environment variable a provider's key is usually in (`OPENAI_API_KEY`), if it has one. */
export function defaultKeyEnv(provider: string): string | undefined {
  return BUILT_IN_PROVIDERS[provider]?.envKey ?? `${provider.toUpperCase().replace(/[^A-Z0-9]/g, "_")}_API_KEY`;
}

function secretValue(choice: SecretChoice, pointer: string): Omit<ConfigChange, "path"> {
  if (choice.kind === "env") return { value: `\${${choice.name}}` };
  if (choice.kind === "plain") return { value: choice.value };
  return { value: { source: "file", provider: FILE_PROVIDER, id: pointer }, store: { pointer, value: choice.value } };
}

/**
 * The config values for `answers`: the provider block, the default model, the file SecretRef
 * provider when a secret goes into the secrets file, and each channel account with DM policy
 * `pairing` (strangers get a pairing code, nobody is let in unasked).
 */
export function configChanges(a: OnboardAnswers, secretsFile: string): ConfigChange[] {
  const at = `models.providers.${a.provider}`;
  const out: ConfigChange[] = [];
  if (a.baseUrl) out.push({ path: `${at}.baseUrl`, value: a.baseUrl });
  if (a.api) out.push({ path: `${at}.api`, value: a.api });
  if (!BUILT_IN_PROVIDERS[a.provider]) out.push({ path: `${at}.models`, value: [a.model] });
  if (a.key) out.push({ path: `${at}.apiKey`, ...secretValue(a.key, `/models/${a.provider}/apiKey`) });
  out.push({ path: "agents.defaults.model.primary", value: `${a.provider}/${a.model}` });
  for (const [channel, creds] of Object.entries(a.channels)) {
    out.push(
      { path: `channels.${channel}.enabled`, value: true },
      { path: `channels.${channel}.dmPolicy`, value: "pairing" },
    );
    for (const [key, choice] of Object.entries(creds))
      out.push({
        path: `channels.${channel}.${key}`,
        ...(typeof choice === "string" ? { value: choice } : secretValue(choice, `/channels/${channel}/${key}`)),
      });
  }
  if (out.some((c) => c.store))
    out.unshift(
      { path: `secrets.providers.${FILE_PROVIDER}.source`, value: "file" },
      { path: `secrets.providers.${FILE_PROVIDER}.path`, value: secretsFile },
    );
  return out;
}

/** How each change meets the current config: new, already so, or different (a conflict without --force). */
export function classify(raw: Record<string, unknown>, changes: readonly ConfigChange[]): ChangeAction[] {
  return changes.map((c) => {
    const blocked = blockingParent(raw, c.path);
    if (blocked) return "replaced";
    const cur = getAtPath(raw, c.path);
    if (cur === undefined) return "set";
    return isDeepStrictEqual(cur, c.value) ? "unchanged" : "replaced";
  });
}

/** A parent of `keyPath` that holds a non-object (e.g. `agents.defaults.model: "openai/gpt-5"`). */
function blockingParent(raw: Record<string, unknown>, keyPath: string): string | undefined {
  const parts = keyPath.split(".");
  for (let i = 1; i < parts.length; i++) {
    const p = parts.slice(0, i).join(".");
    const v = getAtPath(raw, p);
    if (v !== undefined && (v === null || typeof v !== "object")) return p;
  }
  return undefined;
}

/**
 * The config with the changes applied; a non-object parent in the way is replaced.
 * @throws HoldfastError HF_ONBOARD_CONFLICT when a value would change and `force` is not set.
 */
export function applyChanges(
  raw: Record<string, unknown>,
  changes: readonly ConfigChange[],
  force: boolean,
): Record<string, unknown> {
  const actions = classify(raw, changes);
  const conflicts = changes.filter((_, i) => actions[i] === "replaced").map((c) => c.path);
  if (conflicts.length && !force)
    throw new HoldfastError(
      "HF_ONBOARD_CONFLICT",
      `The config already sets these differently: ${conflicts.join(", ")}. Nothing was changed; run again with --force to overwrite them.`,
      { paths: conflicts },
    );
  let next = raw;
  for (const c of changes) {
    const parent = blockingParent(next, c.path);
    if (parent) next = setAtPath(next, parent, {});
    next = setAtPath(next, c.path, c.value);
  }
  return next;
}
