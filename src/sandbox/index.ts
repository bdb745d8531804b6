export type { ExecRequest, ExecResult, ExecRunner, SandboxBackend, SandboxSpec, Availability } from "./types.js";
export { SANDBOX_WORKDIR, SANDBOX_AGENT_DIR } from "./types.js";
export { hostRunner, maskedHostRunner, spawnCapture } from "./host-runner.js";
export { scrubbedEnv } from "./env.js";
export { BubblewrapBackend, findSystemBinary } from "./bubblewrap.js";
export { resolveSandbox, type ResolvedSandbox } from "./config.js";
export { SandboxManager, SANDBOX_UID, type PreparedSandbox } from "./manager.js";
export { sandboxRunner } from "./runner.js";
export { createSandboxStage, type SandboxStage } from "./stage.js";
