import type { ModelChainCheck } from "../agent/index.js";
import type { Finding } from "../audit/index.js";
import { cliHint } from "../infra/index.js";
import { bubblewrapInstallHint } from "../sandbox/index.js";

/** Findings `holdfast security audit --fix` repairs. */
const FIXABLE = /^fs\.|\.groups\.open$|^logging\.redact_off$/;

/** What doctor found, as far as the next steps depend on it. */
export interface DoctorFacts {
  readonly configOk: boolean;
  readonly pendingMigrations?: number;
  readonly unresolved?: number;
  readonly missingChannels?: number;
  readonly findings?: readonly Finding[];
  /** Failed start preconditions besides unresolved secrets. */
  readonly refusals?: number;
  readonly model?: ModelChainCheck;
  /** Why the host jail cannot run (it names what to install). */
  readonly missingJail?: string;
}

/** The operator's next steps, most urgent first. */
export function nextSteps(f: DoctorFacts): string[] {
  if (!f.configOk)
    return [`Fix the config errors above (each names its key path), then run: ${cliHint("config validate")}`];
  const steps: string[] = [];
  const findings = f.findings ?? [];
  if ((f.unresolved ?? 0) > 0)
    steps.push(
      `Fix the SecretRefs that do not resolve (details: ${cliHint("secrets audit")}); the gateway will not start until they do.`,
    );
  if ((f.refusals ?? 0) > 0)
    steps.push(
      "Fix what the gateway start checks above refuse (each says what to do); the gateway will not start until then.",
    );
  if (f.model && f.model.chain.length === 0)
    steps.push(`Configure a model: ${cliHint("onboard")} (every reply fails until one is set up).`);
  else if (f.model && !f.model.ok)
    steps.push(
      `Make a model of the chain reachable (details: ${cliHint("models status --probe")}), or set up another: ${cliHint("onboard")}`,
    );
  if (f.missingJail) steps.push(`Install a jail runtime so file and command tools can run: ${installLine()}`);
  if ((f.pendingMigrations ?? 0) > 0)
    steps.push(`Rewrite the config (legacy keys, a refused hooks token): ${cliHint("doctor --fix")}`);
  if (findings.some((x) => FIXABLE.test(x.checkId) && x.severity !== "info"))
    steps.push(`Apply the safe fixes (permissions, open groups, log redaction): ${cliHint("security audit --fix")}`);
  if (findings.some((x) => x.severity === "critical" && !FIXABLE.test(x.checkId)))
    steps.push(`Review the critical findings and their remediations: ${cliHint("security audit")}`);
  if (
    findings.some(
      (x) => x.checkId === "secrets.plaintext_in_config" || x.checkId === "config.secrets.gateway_password_in_config",
    )
  )
    steps.push(
      `Move plaintext secrets into SecretRefs: ${cliHint("secrets apply --from <plan.json>")} (see docs/secrets.md)`,
    );
  if ((f.missingChannels ?? 0) > 0) steps.push("Set the missing channel credentials listed above.");
  if (steps.length === 0) steps.push(`Nothing to fix. Start the gateway: ${cliHint("gateway")}`);
  return steps;
}

/** The install command for this machine. */
function installLine(): string {
  return bubblewrapInstallHint().replace(/^install bubblewrap: /, "");
}
