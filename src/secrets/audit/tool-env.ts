import { finding, type AuditCheck } from "../../audit/index.js";
import { toolEnvLeaks } from "../tool-env.js";

/**
 * Secrets in the environment of spawned tools (exec environment from `scrubbedEnv`, sandbox
 * `docker.env`): `secrets.tool_env_leak` critical. Source: the secrets issue.
 */
export const toolEnvCheck: AuditCheck = {
  id: "secrets.tool_env_leak",
  area: "secrets",
  run(ctx) {
    return toolEnvLeaks(ctx.config, ctx.env, ctx.paths.workspaceDir, ctx.secrets.snapshot.values()).map((leak) =>
      finding({
        checkId: "secrets.tool_env_leak",
        severity: "critical",
        title: "Spawned tools would receive a configured secret",
        detail: `${leak.where} passes ${leak.variables.join(", ")}, which hold a configured secret value.`,
        remediation: `Remove those variables from ${leak.where}.`,
      }),
    );
  },
};
