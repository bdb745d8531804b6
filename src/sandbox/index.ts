export type { ExecRequest, ExecResult, ExecRunner, SandboxBackend, SandboxSpec, Availability } from "./types.js";
export { SANDBOX_WORKDIR, SANDBOX_AGENT_DIR } from "./types.js";
export { hostRunner, spawnCapture } from "./host-runner.js";
export { scrubbedEnv } from "./env.js";
export { BubblewrapBackend, findSystemBinary } from "./bubblewrap.js";
export { resolveSandbox, type ResolvedSandbox } from "./config.js";
export { SandboxManager, SANDBOX_UID, type PreparedSandbox } from "./manager.js";
export { sandboxRunner } from "./runner.js";
export { hostJailSpec, JAIL_PATH, type HostJailOptions } from "./host-jail.js";
export {
  openSessionCgroups,
  probeSessionCgroups,
  type CgroupProbe,
  DELEGATION_HINT,
  type AggregateLimits,
  type SessionCgroups,
  type CgroupAvailability,
} from "./cgroups.js";
export { HELPER_TIMEOUT_MS, helperScript, runHelperOnce } from "./fileops/client.js";
export { AGENT_IDLE_MS } from "./agent/client.js";
export type { FileOp, FileOpResult, FileOpsRequest, FileOpErrorCode } from "./fileops/protocol.js";
export { InboundMedia, MEDIA_IN_JAIL, type SavedMediaFile } from "./inbound-media.js";
export { bubblewrapInstallHint, hostJailUnavailable, USERNS_HINT } from "./install-hint.js";
export type { ReadOnlyMount, SessionCgroup } from "./types.js";
export { unenforceableLimits } from "./limits-check.js";
export { createSandboxStage, type SandboxStage, type JailRuntime } from "./stage.js";
export { jailFacts, type JailFacts } from "./facts.js";
