import type { AgentRoster } from "../config/index.js";
import type { GatewayPorts } from "../gateway/index.js";
import type { SandboxStage } from "../sandbox/index.js";
import { createToolStage, type ToolStage, type ToolStageDeps } from "../tools/index.js";
import type { AppContext } from "./context.js";

/** What the tool stage is wired with besides the context. */
export interface ToolWiring extends Pick<ToolStageDeps, "sessions" | "runs" | "describeImage" | "channels" | "leaks"> {
  readonly roster: AgentRoster;
  readonly sandbox: Pick<SandboxStage, "manager" | "jails">;
  readonly gateway: GatewayPorts;
  readonly extraTools?: ToolStageDeps["extraTools"];
}

/**
 * The tool stage: the policy gate every call passes, the tool catalogue, exec approvals
 * (`<stateDir>/exec-approvals.json`, `exec.approval.*` on the gateway) and elevated mode.
 * @throws HoldfastError HF_CONFIG_INVALID for unknown tool names.
 */
export function wireTools(ctx: AppContext, w: ToolWiring): ToolStage {
  return createToolStage({
    config: ctx.config,
    configPath: ctx.paths.configPath,
    stateDir: ctx.paths.stateDir,
    env: ctx.env,
    secrets: ctx.secrets,
    clock: ctx.clock,
    log: ctx.log.child({ stage: "tools" }),
    trail: ctx.trail,
    roster: w.roster,
    sandbox: w.sandbox.manager,
    jails: w.sandbox.jails,
    sessions: w.sessions,
    runs: w.runs,
    describeImage: w.describeImage,
    channels: w.channels,
    gateway: w.gateway,
    leaks: w.leaks,
    ...(w.extraTools ? { extraTools: w.extraTools } : {}),
  });
}
