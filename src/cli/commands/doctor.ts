import type { Command } from "commander";
import { AUDIT_CHECKS } from "../../app/audit-checks/index.js";
import { doctorExitCode, formatDoctor, generateGatewayToken, runDoctor } from "../../doctor/index.js";
import { printJson, type CliIo } from "../io.js";
import { cliHint } from "../../infra/index.js";

/** `holdfast doctor [--fix] [--json] [--generate-gateway-token]`. */
export function registerDoctor(program: Command, io: CliIo, setExit: (code: number) => void): void {
  program
    .command("doctor")
    .description("check config, secrets, channel credentials and security; say what to do next")
    .option("--fix", "rewrite legacy config keys (validated, atomic, mode 600)")
    .option("--json", "JSON output")
    .option(
      "--generate-gateway-token",
      `print a new 32-byte gateway token (store it with: ${cliHint("config set gateway.auth.token <value>")})`,
    )
    .action(async (o: { fix?: boolean; json?: boolean; generateGatewayToken?: boolean }) => {
      if (o.generateGatewayToken) return io.out(generateGatewayToken());
      const report = await runDoctor({ fix: o.fix === true, checks: AUDIT_CHECKS });
      if (o.json) printJson(io, report);
      else for (const l of formatDoctor(report)) io.out(l);
      setExit(doctorExitCode(report));
    });
}
