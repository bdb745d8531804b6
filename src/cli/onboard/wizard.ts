import * as p from "@clack/prompts";
import { CHANNELS } from "../../channels/index.js";
import { HoldfastError } from "../../errors/index.js";
import { cliHint } from "../../infra/index.js";
import { defaultKeyEnv, defaultModel, type ChannelAnswers, type OnboardAnswers, type SecretChoice } from "./plan.js";

/** Stops the wizard when the user cancels a prompt (Ctrl-C, Esc). */
function answer<T>(v: T): Exclude<T, symbol> {
  if (p.isCancel(v)) {
    p.cancel("Onboarding cancelled; nothing was written.");
    throw new HoldfastError("HF_CLI_USAGE", "onboarding cancelled");
  }
  return v as Exclude<T, symbol>;
}

const PROVIDERS = [
  { value: "anthropic", label: "Anthropic (Claude)" },
  { value: "openai", label: "OpenAI" },
  { value: "openrouter", label: "OpenRouter" },
  { value: "ollama", label: "Ollama on this machine (no key)" },
  { value: "custom", label: "Another OpenAI-compatible server (base URL)" },
] as const;

/**
 * Asks how to keep a secret: an environment reference `${NAME}` (when set here, nothing is asked and
 * no value is stored), else the value, then where it goes: the private secrets file (recommended),
 * an environment reference, or plain text in the config.
 */
async function askSecret(what: string, envName: string, env: NodeJS.ProcessEnv): Promise<SecretChoice> {
  if (env[envName]) {
    const use = answer(
      await p.confirm({ message: `Use $${envName} from this environment (written as \${${envName}})?` }),
    );
    if (use) return { kind: "env", name: envName };
  }
  const value = answer(
    await p.password({ message: `Paste the ${what}`, validate: (v) => (v?.trim() ? undefined : "required") }),
  ).trim();
  const where = answer(
    await p.select({
      message: "Where should holdfast keep it?",
      options: [
        { value: "file", label: "In a private secrets file (credentials/secrets.json, mode 600) — recommended" },
        {
          value: "env",
          label: `As a reference to an environment variable (\${${envName}}) that you set for the gateway`,
        },
        { value: "plain", label: "As plain text in holdfast.json (not recommended)" },
      ],
    }),
  );
  if (where === "env") {
    p.note(`Set ${envName} in the gateway's environment (${cliHint("daemon install")} copies it from this shell).`);
    return { kind: "env", name: envName };
  }
  return where === "file" ? { kind: "file", value } : { kind: "plain", value };
}

async function askProvider(env: NodeJS.ProcessEnv): Promise<Omit<OnboardAnswers, "channels">> {
  const picked = answer(await p.select({ message: "Which model provider?", options: [...PROVIDERS] }));
  let provider: string = picked;
  const extra: { baseUrl?: string; api?: OnboardAnswers["api"] } = {};
  if (picked === "custom") {
    extra.baseUrl = answer(
      await p.text({
        message: "Base URL of the server (OpenAI-compatible, e.g. http://127.0.0.1:8000/v1)",
        validate: (v) => (v && /^https?:\/\/\S+$/.test(v) ? undefined : "an http(s) URL"),
      }),
    );
    extra.api = "openai-completions";
    provider = answer(
      await p.text({
        message: "A short name for it (used in model refs)",
        defaultValue: "local",
        placeholder: "local",
        validate: (v) =>
          !v || /^[a-z0-9][a-z0-9_-]{0,63}$/.test(v) ? undefined : "lowercase letters, digits, - and _",
      }),
    );
  }
  const suggested = defaultModel(provider);
  const model = answer(
    await p.text({
      message: "Model",
      ...(suggested ? { defaultValue: suggested, placeholder: suggested } : {}),
      validate: (v) => (v?.trim() || suggested ? undefined : "required"),
    }),
  ).trim();
  const needsKey =
    provider !== "ollama" && (picked !== "custom" || answer(await p.confirm({ message: "Does it need an API key?" })));
  const key = needsKey ? await askSecret(`${provider} API key`, defaultKeyEnv(provider) ?? "API_KEY", env) : undefined;
  return { provider, model: model || (suggested ?? ""), ...extra, ...(key ? { key } : {}) };
}

/**
 * Offers each channel of the channel stage's list: its settings (checked as the channel stage checks
 * them; an optional one left empty keeps the default), then its credentials. The accounts get DM
 * policy `pairing`.
 */
async function askChannels(env: NodeJS.ProcessEnv): Promise<OnboardAnswers["channels"]> {
  const out: Record<string, ChannelAnswers> = {};
  for (const ch of CHANNELS) {
    if (!answer(await p.confirm({ message: `Set up ${ch.label} now?`, initialValue: false }))) continue;
    p.note(`${ch.setupHint}\nStrangers who message the bot get a pairing code; nobody is let in until you approve it.`);
    const answers: Record<string, SecretChoice | string> = {};
    for (const s of ch.settings) {
      const raw: string | undefined = answer(
        await p.text({
          message: s.optional ? `${s.prompt} (empty: ${s.placeholder})` : s.prompt,
          placeholder: s.placeholder,
          validate: (v) => (!v?.trim() ? (s.optional ? undefined : "required") : s.problem(v)),
        }),
      );
      const v = raw?.trim();
      if (v) answers[s.key] = v;
    }
    for (const c of ch.credentials) answers[c.key] = await askSecret(c.prompt, c.env, env);
    out[ch.id] = answers;
  }
  return out;
}

/** The interactive onboarding's questions: provider, model, key and channels. */
export async function askAnswers(env: NodeJS.ProcessEnv): Promise<OnboardAnswers> {
  const model = await askProvider(env);
  return { ...model, channels: await askChannels(env) };
}

/** Yes/no in the wizard. */
export async function askConfirm(message: string, initialValue = true): Promise<boolean> {
  return answer(await p.confirm({ message, initialValue }));
}

export { p as prompts };
