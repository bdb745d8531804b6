import os from "node:os";
import type { AgentRoster, HoldfastConfig } from "../config/index.js";
import { HoldfastError } from "../errors/index.js";
import type { Clock } from "../infra/index.js";
import type { Logger } from "../logging/index.js";
import { sandboxConfigIssues } from "./config.js";
import { SandboxManager, type SandboxManagerDeps } from "./manager.js";

/** How often idle sandbox workspaces are pruned (ms). */
const PRUNE_INTERVAL_MS = 3_600_000;

/** Dependencies of {@link createSandboxStage}. */
export interface SandboxStageDeps {
  readonly config: HoldfastConfig;
  /** Named in config errors. */
  readonly configPath: string;
  /** `<stateDir>/sandboxes`. */
  readonly sandboxesDir: string;
  readonly roster: Pick<AgentRoster, "ids" | "workspaceOf">;
  /** The session's current id (changes on reset), undefined when the session does not exist yet. */
  readonly sessionIdOf: (sessionKey: string) => Promise<string | undefined>;
  readonly clock: Clock;
  readonly log: Logger;
  /** Test seam: backends by kind. */
  readonly backends?: SandboxManagerDeps["backends"];
}

/** The sandbox stage: which sessions are jailed and where, and the pruning of idle workspaces. */
export interface SandboxStage {
  readonly manager: SandboxManager;
  /** Prunes idle workspaces now and then hourly. */
  start(): void;
  /** Stops pruning. */
  stop(): void;
}

/**
 * Builds the sandbox stage after checking every `sandbox` block (unsafe binds, workspace roots,
 * Docker settings; seeds "Sandbox", reference §7).
 * @throws HoldfastError HF_CONFIG_INVALID naming each bad key path.
 */
export function createSandboxStage(deps: SandboxStageDeps): SandboxStage {
  const issues = sandboxConfigIssues(deps.config, os.homedir());
  if (issues.length > 0)
    throw new HoldfastError(
      "HF_CONFIG_INVALID",
      `Invalid config (${deps.configPath}):\n${issues.map((l) => `  - ${l}`).join("\n")}`,
      { issues },
    );
  const manager = new SandboxManager({
    config: deps.config,
    sandboxesDir: deps.sandboxesDir,
    workspaceOf: (id) => deps.roster.workspaceOf(id),
    sessionIdOf: deps.sessionIdOf,
    agentIds: () => deps.roster.ids(),
    clock: deps.clock,
    log: deps.log,
    ...(deps.backends ? { backends: deps.backends } : {}),
  });
  let timer: NodeJS.Timeout | undefined;
  return {
    manager,
    start() {
      void manager.prune();
      timer ??= setInterval(() => void manager.prune(), PRUNE_INTERVAL_MS);
      timer.unref();
    },
    stop: () => clearInterval(timer),
  };
}
