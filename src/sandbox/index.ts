export type {
  ExecRequest,
  ExecResult,
  ExecRunner,
  SandboxBackend,
  SandboxSpec,
  SandboxLimits,
  Availability,
} from "./types.js";
export { SANDBOX_WORKDIR, SANDBOX_AGENT_DIR } from "./types.js";
export { hostRunner, maskedHostRunner, spawnCapture } from "./host-runner.js";
export { scrubbedEnv } from "./env.js";
export { BubblewrapBackend, detectHostLayout, findSystemBinary } from "./bubblewrap.js";
export { bubblewrapCommand, type HostLayout, type BwrapBinaries } from "./bubblewrap-args.js";
export { DockerBackend } from "./docker.js";
export { dockerCreateBody, DockerStreamDemux, DEFAULT_DOCKER_SETTINGS, type DockerSettings } from "./docker-payload.js";
export {
  resolveSandbox,
  isSandboxedSession,
  sandboxConfigIssues,
  SANDBOX_DEFAULTS,
  DEFAULT_SANDBOX_LIMITS,
  type ResolvedSandbox,
} from "./config.js";
export { SandboxManager, scopeDirName, SANDBOX_UID, type PreparedSandbox, type SandboxManagerDeps } from "./manager.js";
export { sandboxRunner } from "./runner.js";
export { createSandboxStage, type SandboxStage, type SandboxStageDeps } from "./stage.js";
