import type { Command } from "commander";
import { BUILT_IN_PROVIDERS } from "../../agent/index.js";
import { CHANNELS } from "../../channels/index.js";
import { HoldfastError, isHoldfastError } from "../../errors/index.js";
import { cliHint } from "../../infra/index.js";
import { printJson, type CliIo } from "../io.js";
import { addChannelFlags, channelAnswersFromFlags } from "../onboard/channel-flags.js";
import { defaultModel, type OnboardAnswers, type SecretChoice } from "../onboard/plan.js";
import {
  auditSummary,
  commitOnboard,
  ensureGatewayToken,
  prepareOnboard,
  probeFailure,
  probeOnboard,
  type PreparedOnboard,
} from "../onboard/run.js";

/** Flags of `holdfast onboard`. */
export interface OnboardFlags {
  readonly nonInteractive?: boolean;
  readonly provider?: string;
  readonly model?: string;
  readonly baseUrl?: string;
  readonly api?: string;
  readonly apiKeyEnv?: string;
  readonly skipProbe?: boolean;
  readonly force?: boolean;
  readonly json?: boolean;
  /** The channel flags (`--telegram-token-env`, `--signal-account`, `--whatsapp`, ...), by commander property. */
  readonly [channelFlag: string]: unknown;
}

const APIS = ["openai-completions", "anthropic-messages", "ollama"] as const;
const ENV_NAME = /^[A-Z_][A-Z0-9_]*$/;

function usage(message: string): HoldfastError {
  return new HoldfastError("HF_CLI_USAGE", message);
}

/**
 * The answers of a scripted onboarding. Secrets are only ever named by environment variable
 * (`--api-key-env`): a key on the command line would land in the shell history and `ps`.
 * @throws HoldfastError HF_CLI_USAGE naming the missing or bad flag.
 */
export function answersFromFlags(o: OnboardFlags): OnboardAnswers {
  const provider = o.provider?.trim().toLowerCase();
  if (!provider)
    throw usage(
      "--non-interactive needs --provider (anthropic, openai, openrouter, ollama, or a name with --base-url)",
    );
  if (!/^[a-z0-9][a-z0-9_-]{0,63}$/.test(provider))
    throw usage(`--provider must be lowercase letters, digits, - and _ (got "${provider.slice(0, 40)}")`);
  const builtIn = BUILT_IN_PROVIDERS[provider];
  if (!builtIn && !o.baseUrl) throw usage(`--provider ${provider} is not built in; give its --base-url (and --api)`);
  if (o.api !== undefined && !(APIS as readonly string[]).includes(o.api))
    throw usage(`--api must be one of ${APIS.join(", ")}`);
  const model = o.model?.trim() || defaultModel(provider);
  if (!model) throw usage(`--model is required for ${provider}`);
  if (o.apiKeyEnv !== undefined && !ENV_NAME.test(o.apiKeyEnv))
    throw usage(`--api-key-env names an environment variable (A-Z, 0-9, _), got "${o.apiKeyEnv.slice(0, 40)}"`);
  if (!o.apiKeyEnv && builtIn?.envKey)
    throw usage(`--provider ${provider} needs its key: --api-key-env ${builtIn.envKey}`);
  const key: SecretChoice | undefined = o.apiKeyEnv ? { kind: "env", name: o.apiKeyEnv } : undefined;
  const channels = channelAnswersFromFlags(o);
  return {
    provider,
    model,
    ...(o.baseUrl ? { baseUrl: o.baseUrl } : {}),
    ...(o.api ? { api: o.api as OnboardAnswers["api"] } : !builtIn ? { api: "openai-completions" as const } : {}),
    ...(key ? { key } : {}),
    channels,
  };
}

/** Writes what was prepared, sets up the gateway token and audits the result: the report of a run. */
async function finish(prepared: PreparedOnboard, probe: unknown, env: NodeJS.ProcessEnv) {
  const written = await commitOnboard(prepared);
  const gatewayToken = await ensureGatewayToken(prepared.paths, env);
  return {
    configPath: prepared.paths.configPath,
    written,
    model: `${prepared.answers.provider}/${prepared.answers.model}`,
    probe,
    changes: prepared.changes.map((c, i) => ({ path: c.path, action: prepared.actions[i] })),
    gatewayToken,
    channels: Object.keys(prepared.answers.channels).map((id) => {
      const after = CHANNELS.find((c) => c.id === id)?.afterSetup;
      return { id, dmPolicy: "pairing", ...(after ? { next: `${after.step}: ${cliHint(after.command)}` } : {}) };
    }),
    audit: await auditSummary(env),
    next: [cliHint("gateway"), cliHint("daemon install")],
  };
}

type Report = Awaited<ReturnType<typeof finish>>;

function printReport(io: CliIo, r: Report): void {
  io.out(r.written ? `Wrote ${r.configPath}:` : `${r.configPath} already has these settings; nothing changed.`);
  for (const c of r.changes)
    if (c.action !== "unchanged") io.out(`  ${c.action === "set" ? "set     " : "replaced"} ${c.path}`);
  io.out(
    `Gateway token: ${r.gatewayToken.created ? "generated in " : "from "}${r.gatewayToken.source} (show it with: ${cliHint("gateway token")})`,
  );
  if ("summary" in r.audit) {
    io.out(
      `Security audit: ${r.audit.summary.critical ?? 0} critical · ${r.audit.summary.warn ?? 0} warn · ${r.audit.summary.info ?? 0} info`,
    );
    for (const f of r.audit.findings) io.out(`  ${f.severity.toUpperCase().padEnd(8)} ${f.checkId}  ${f.title}`);
  } else io.out(`Security audit skipped: ${r.audit.skipped}`);
  for (const c of r.channels) if (c.next) io.out(`${c.id}: ${c.next}`);
  io.out(`Next: start the gateway with ${r.next[0]}, or run it as a service: ${r.next[1]}`);
}

/** `holdfast onboard --non-interactive …`: idempotent; refuses to change existing values without --force. */
async function scripted(o: OnboardFlags, io: CliIo): Promise<void> {
  const env = process.env;
  const prepared = await prepareOnboard(answersFromFlags(o), { force: o.force === true, env });
  let probe: unknown = { skipped: true };
  if (!o.skipProbe) {
    const r = await probeOnboard(prepared, env);
    if (!r.ok) throw probeFailure(r);
    probe = r;
    if (!o.json) io.out(`${r.ref} answered in ${r.ms} ms: "${r.reply ?? ""}"`);
  }
  const report = await finish(prepared, probe, env);
  if (o.json) printJson(io, report);
  else printReport(io, report);
}

/** `holdfast onboard` in a terminal: the wizard, then the same steps as the scripted run. */
async function interactive(o: OnboardFlags, io: CliIo): Promise<void> {
  const { askAnswers, askConfirm, prompts: p } = await import("../onboard/wizard.js");
  const env = process.env;
  p.intro("holdfast onboard");
  const answers = await askAnswers(env);
  let prepared: PreparedOnboard;
  try {
    prepared = await prepareOnboard(answers, { force: o.force === true, env });
  } catch (err) {
    if (!isHoldfastError(err, "HF_ONBOARD_CONFLICT")) throw err;
    const paths = (err.details?.paths as string[] | undefined) ?? [];
    if (!(await askConfirm(`The config sets ${paths.join(", ")} differently. Overwrite?`, false))) throw err;
    prepared = await prepareOnboard(answers, { force: true, env });
  }
  const spin = p.spinner();
  spin.start(`Calling ${answers.provider}/${answers.model}`);
  const probe = await probeOnboard(prepared, env);
  spin.stop(
    probe.ok ? `${probe.ref} answered in ${probe.ms} ms: "${probe.reply ?? ""}"` : `${probe.ref} did not answer`,
  );
  if (!probe.ok) {
    p.log.error(probe.error ?? "no reply");
    if (!(await askConfirm("Save this model anyway?", false))) throw probeFailure(probe);
  }
  const report = await finish(prepared, probe, env);
  printReport(io, report);
  p.outro("Done.");
}

/** `holdfast onboard [--non-interactive --provider … --api-key-env … [--json]] [--force]`. */
export function registerOnboard(program: Command, io: CliIo): void {
  const cmd = program
    .command("onboard")
    .description("set up a model provider (tested with a real call), the gateway token and optionally channels")
    .option("--non-interactive", "no questions: take everything from the flags (for scripts)")
    .option("--provider <id>", "anthropic | openai | openrouter | ollama | a name for a server given by --base-url")
    .option("--model <id>", "model id without the provider prefix (default: the provider's usual model)")
    .option("--base-url <url>", "the provider's API base URL (required for a provider that is not built in)")
    .option("--api <api>", `API of a provider that is not built in: ${APIS.join(" | ")} (default openai-completions)`)
    .option("--api-key-env <VAR>", "the environment variable that holds the key; written as ${VAR}, never its value")
    .option("--skip-probe", "do not test the model with a real call before saving")
    .option("--force", "overwrite values the config already sets differently")
    .option("--json", "JSON output (with --non-interactive)");
  addChannelFlags(cmd).action(async (o: OnboardFlags) => {
    if (o.nonInteractive) return scripted(o, io);
    if (!process.stdin.isTTY || !process.stdout.isTTY)
      throw usage(
        "the onboarding wizard needs a terminal; for scripts use --non-interactive --provider … --api-key-env …",
      );
    return interactive(o, io);
  });
}
