import type { Command } from "commander";
import { CHANNELS, type ChannelInfo } from "../../channels/index.js";
import { HoldfastError } from "../../errors/index.js";
import type { ChannelAnswers, SecretChoice } from "./plan.js";

const ENV_NAME = /^[A-Z_][A-Z0-9_]*$/;

/** Commander's property for a long flag (`--signal-http-url` → `signalHttpUrl`). */
function prop(flag: string): string {
  return flag.replace(/^--/, "").replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
}

function usage(message: string): HoldfastError {
  return new HoldfastError("HF_CLI_USAGE", message);
}

/**
 * Adds the scripted onboarding's channel flags, one set per channel of the registry: `--<channel>-…-env
 * <VAR>` for each credential (a secret is only ever named by environment variable), `--<channel>-<key>
 * <value>` for each other setting, and an enable flag for a channel that takes no value (`--whatsapp`).
 */
export function addChannelFlags(cmd: Command): Command {
  for (const ch of CHANNELS) {
    for (const c of ch.credentials)
      cmd.option(
        `${c.flag} <VAR>`,
        `set up ${ch.label} (DM policy pairing) with the ${c.prompt} in this variable (written as \${VAR})`,
      );
    for (const s of ch.settings)
      cmd.option(`${s.flag} <value>`, `${ch.label}: ${s.prompt}${s.optional ? ` (default ${s.placeholder})` : ""}`);
    if (ch.enableFlag) cmd.option(ch.enableFlag, `set up ${ch.label} (DM policy pairing). ${ch.setupHint}`);
  }
  return cmd;
}

/** The flags of one channel that were given, by flag. */
function given(ch: ChannelInfo, o: Record<string, unknown>): Map<string, string | true> {
  const out = new Map<string, string | true>();
  for (const flag of [...ch.credentials.map((c) => c.flag), ...ch.settings.map((s) => s.flag), ch.enableFlag]) {
    const v = flag ? o[prop(flag)] : undefined;
    if (flag && (typeof v === "string" || v === true)) out.set(flag, v);
  }
  return out;
}

/**
 * The channels a scripted onboarding sets up: each channel with at least one of its flags given, which
 * then needs all of its required ones.
 * @throws HoldfastError HF_CLI_USAGE naming the missing or bad flag.
 */
export function channelAnswersFromFlags(o: Record<string, unknown>): Record<string, ChannelAnswers> {
  const out: Record<string, ChannelAnswers> = {};
  for (const ch of CHANNELS) {
    const flags = given(ch, o);
    if (flags.size === 0) continue;
    const answers: Record<string, SecretChoice | string> = {};
    for (const c of ch.credentials) {
      const v = flags.get(c.flag);
      if (typeof v !== "string") throw usage(`${ch.label} also needs ${c.flag} <VAR> (the ${c.prompt})`);
      if (!ENV_NAME.test(v))
        throw usage(`${c.flag} names an environment variable (A-Z, 0-9, _), got "${v.slice(0, 40)}"`);
      answers[c.key] = { kind: "env", name: v };
    }
    for (const s of ch.settings) {
      const v = flags.get(s.flag);
      if (typeof v !== "string") {
        if (s.optional) continue;
        throw usage(`${ch.label} also needs ${s.flag} <value> (${s.prompt}, e.g. ${s.placeholder})`);
      }
      const problem = s.problem(v);
      if (problem) throw usage(`${s.flag}: ${problem}`);
      answers[s.key] = v.trim();
    }
    out[ch.id] = answers;
  }
  return out;
}
