import { readFile } from "node:fs/promises";
import type { Command } from "commander";
import { bootstrapLenient } from "../../app/index.js";
import { loadConfig, resolvePaths } from "../../config/index.js";
import { HoldfastError } from "../../errors/index.js";
import {
  applySecretsPlan,
  auditSecrets,
  parseSecretsPlan,
  secretsAuditExitCode,
  type SecretsAuditReport,
} from "../../secrets/index.js";
import { withLocalGateway } from "../context.js";
import { cliTrail } from "../trail.js";
import { printJson, type CliIo } from "../io.js";
import { cliHint } from "../../infra/index.js";

/** `holdfast secrets audit [--json] [--check] [--allow-exec]`; returns the exit code. */
export async function secretsAuditCommand(
  o: { json?: boolean; check?: boolean; allowExec?: boolean },
  io: CliIo,
  env: NodeJS.ProcessEnv = process.env,
): Promise<number> {
  const paths = resolvePaths(env);
  const loaded = await loadConfig(paths.configPath, env);
  const report = await auditSecrets({
    config: loaded.config,
    raw: loaded.raw,
    configPath: paths.configPath,
    env,
    workspaceDir: paths.workspaceDir,
    allowExec: o.allowExec === true,
  });
  if (o.json) printJson(io, report);
  else for (const l of formatSecretsAudit(report)) io.out(l);
  return o.check ? secretsAuditExitCode(report) : 0;
}

function formatSecretsAudit(r: SecretsAuditReport): string[] {
  const s = r.summary;
  const lines = [`holdfast secrets audit: ${r.status}`];
  for (const f of r.findings) lines.push(`  ${f.code.padEnd(15)} ${f.message}`);
  lines.push(
    `Summary: ${s.plaintextCount} plaintext · ${s.unresolvedRefCount} unresolved · ${s.looseFileModeCount} loose file modes · ${s.toolEnvSecretCount} in tool environments (${r.resolution.refsChecked} refs checked)`,
  );
  if (r.resolution.skippedExecRefs)
    lines.push(`(${r.resolution.skippedExecRefs} exec ref(s) not run; add --allow-exec to check them)`);
  return lines;
}

/** `holdfast secrets audit|reload|apply`. */
export function registerSecrets(program: Command, io: CliIo, setExit: (code: number) => void): void {
  const secrets = program
    .command("secrets")
    .description("SecretRefs: audit, reload in the running gateway, move plaintext into refs");
  secrets
    .command("audit")
    .description("find plaintext secrets, unresolved refs, loose secret file modes and secrets in tool environments")
    .option("--json", "JSON output")
    .option("--check", "exit 1 on findings, 2 on unresolved refs")
    .option("--allow-exec", "also run exec providers to check their refs")
    .action(async (o: { json?: boolean; check?: boolean; allowExec?: boolean }) =>
      setExit(await secretsAuditCommand(o, io)),
    );
  secrets
    .command("reload")
    .description("re-resolve every SecretRef and swap them into the running gateway (the old ones stay on failure)")
    .action(async () => {
      const res = (await withLocalGateway(
        ["operator.admin"],
        (c) => c.request("secrets.reload"),
        await bootstrapLenient(),
      )) as { version: number; secrets: number; changed: string[] };
      io.out(
        `secrets reloaded (snapshot ${res.version}): ${res.secrets} secret(s); changed: ${res.changed.length ? res.changed.join(", ") : "none"}`,
      );
    });
  secrets
    .command("apply")
    .description("move plaintext secrets from the config into SecretRefs, as a plan file says")
    .requiredOption("--from <plan.json>", "plan file: {version:1, providers?, moves:[{path, ref}]}")
    .option("--dry-run", "show what would change; write nothing")
    .action(async (o: { from: string; dryRun?: boolean }) => {
      const text = await readFile(o.from, "utf8").catch((err: NodeJS.ErrnoException) => {
        throw new HoldfastError("HF_SECRETS_PLAN_INVALID", `cannot read plan ${o.from} (${err.code ?? "error"})`);
      });
      const res = await applySecretsPlan(resolvePaths().configPath, parseSecretsPlan(text, o.from), process.env, {
        dryRun: o.dryRun === true,
      });
      if (res.configWritten)
        await cliTrail().record({
          type: "config.changed",
          actor: { kind: "cli", command: "secrets apply" },
          details: { paths: res.moved.map((m) => m.split(" -> ")[0] as string) },
        });
      const verb = res.dryRun ? "would move" : "moved";
      for (const m of res.moved) io.out(`${verb} ${m}`);
      for (const f of res.filesWritten) io.out(`${res.dryRun ? "would write" : "wrote"} ${f} (mode 600)`);
      io.out(
        res.dryRun
          ? "dry run: nothing written"
          : `config updated; run ${cliHint("secrets reload")} (or restart the gateway) to use the new refs`,
      );
    });
}
