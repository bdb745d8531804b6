import path from "node:path";
import type { HoldfastConfig } from "../config/index.js";
import { systemClock } from "../infra/index.js";
import { silentLogger } from "../logging/index.js";
import { InboundMedia, SandboxManager, type SandboxBackend } from "../sandbox/index.js";
import { ElevatedSessions } from "./elevated.js";
import { JailEnvironment } from "./jail-environment.js";
import type { ToolContext } from "./types.js";

/**
 * A {@link JailEnvironment} for tests: one agent (`main`) whose workspace is `workspace`, sandboxes
 * under `<stateDir>/sandboxes`, media under `<stateDir>/media`, `backend` for sandboxes and (unless
 * `hostBackend` is given) host jails, no session cgroups.
 */
export function testJailEnvironment(o: {
  readonly config: HoldfastConfig;
  readonly stateDir: string;
  readonly workspace: string;
  readonly backend: SandboxBackend;
  readonly hostBackend?: SandboxBackend;
  readonly env?: NodeJS.ProcessEnv;
}): JailEnvironment {
  const sandbox = new SandboxManager({
    config: o.config,
    sandboxesDir: path.join(o.stateDir, "sandboxes"),
    workspaceOf: () => o.workspace,
    sessionIdOf: async () => "s1",
    agentIds: () => ["main"],
    clock: systemClock,
    log: silentLogger(),
    backends: { bubblewrap: o.backend },
  });
  return new JailEnvironment({
    config: o.config,
    workspaceOf: () => o.workspace,
    sandbox,
    elevated: new ElevatedSessions(),
    hostBackend: o.hostBackend ?? o.backend,
    cgroups: () => undefined,
    media: new InboundMedia(path.join(o.stateDir, "media")),
    env: o.env ?? { PATH: "/usr/bin:/bin" },
  });
}

/** A tool context of agent `main`. */
export function testToolContext(sessionKey: string, workspaceDir: string): ToolContext {
  return {
    agentId: "main",
    sessionKey,
    runId: "r",
    workspaceDir,
    signal: new AbortController().signal,
    log: silentLogger(),
  };
}
