import type { Finding } from "../audit/index.js";
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
  /** Why the host jail cannot run (it names what to install). */
  readonly missingJail?: string;
}

/** The operator's next steps, most urgent first. */
export function nextSteps(f: DoctorFacts): string[] {
  if (!f.configOk) return ["Fix the config errors above (each names its key path), then run: holdfast config validate"];
  const steps: string[] = [];
  const findings = f.findings ?? [];
  if ((f.unresolved ?? 0) > 0)
    steps.push(
      "Fix the SecretRefs that do not resolve (details: holdfast secrets audit); the gateway will not start until they do.",
    );
  if (f.missingJail) steps.push(`Install a jail runtime so file and command tools can run: ${installLine()}`);
  if ((f.pendingMigrations ?? 0) > 0) steps.push("Rewrite the legacy keys: holdfast doctor --fix");
  if (findings.some((x) => FIXABLE.test(x.checkId) && x.severity !== "info"))
    steps.push("Apply the safe fixes (permissions, open groups, log redaction): holdfast security audit --fix");
  if (findings.some((x) => x.severity === "critical" && !FIXABLE.test(x.checkId)))
    steps.push("Review the critical findings and their remediations: holdfast security audit");
  if (
    findings.some(
      (x) => x.checkId === "secrets.plaintext_in_config" || x.checkId === "config.secrets.gateway_password_in_config",
    )
  )
    steps.push(
      "Move plaintext secrets into SecretRefs: holdfast secrets apply --from <plan.json> (see docs/secrets.md)",
    );
  if ((f.missingChannels ?? 0) > 0) steps.push("Set the missing channel credentials listed above.");
  if (steps.length === 0) steps.push("Nothing to fix. Start the gateway: holdfast gateway");
  return steps;
}

/** The install command for this machine. */
function installLine(): string {
  return bubblewrapInstallHint().replace(/^install bubblewrap: /, "");
}
