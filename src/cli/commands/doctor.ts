import type { Command } from "commander";
import { bootstrapLenient, checkStartPreconditions } from "../../app/index.js";
import { AUDIT_CHECKS } from "../../app/audit-checks/index.js";
import { doctorExitCode, formatDoctor, generateGatewayToken, runDoctor } from "../../doctor/index.js";
import { cliHint } from "../../infra/index.js";
import { cliTrail } from "../trail.js";
import { printJson, type CliIo } from "../io.js";

/** The gateway's start preconditions for `holdfast gateway` without flags, in this environment. */
async function preconditions(env: NodeJS.ProcessEnv) {
  const ctx = await bootstrapLenient({ env });
  return checkStartPreconditions({ ctx, opts: {}, secretFailures: ctx.failures, inspectOnly: true });
}

/** `holdfast doctor [--fix] [--probe] [--json] [--generate-gateway-token]`. */
export function registerDoctor(program: Command, io: CliIo, setExit: (code: number) => void): void {
  program
    .command("doctor")
    .description(
      "check what stops the gateway from starting or answering (config, secrets, start checks, port, model); say what to do next",
    )
    .option("--fix", "rewrite legacy config keys (validated, atomic, mode 600)")
    .option("--probe", "also make one real call to each model of the chain")
    .option("--json", "JSON output")
    .option(
      "--generate-gateway-token",
      `print a new 32-byte gateway token (store it with: ${cliHint("config set gateway.auth.token <value>")})`,
    )
    .action(async (o: { fix?: boolean; probe?: boolean; json?: boolean; generateGatewayToken?: boolean }) => {
      if (o.generateGatewayToken) return io.out(generateGatewayToken());
      const report = await runDoctor({
        fix: o.fix === true,
        probe: o.probe === true,
        checks: AUDIT_CHECKS,
        preconditions,
      });
      if (report.migrations.applied.length > 0)
        await cliTrail().record({
          type: "config.changed",
          actor: { kind: "fix", command: "doctor --fix" },
          details: { changes: report.migrations.applied },
        });
      if (o.json) printJson(io, report);
      else for (const l of formatDoctor(report)) io.out(l);
      setExit(doctorExitCode(report));
    });
}
