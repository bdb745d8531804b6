import os from "node:os";
import type { AgentRoster, HoldfastConfig } from "../config/index.js";
import { HoldfastError } from "../errors/index.js";
import type { Clock } from "../infra/index.js";
import type { Logger } from "../logging/index.js";
import { BubblewrapBackend, findSystemBinary } from "./bubblewrap.js";
import { openSessionCgroups, probeSessionCgroups, type CgroupProbe, type SessionCgroups } from "./cgroups.js";
import { sandboxConfigIssues } from "./config.js";
import { InboundMedia } from "./inbound-media.js";
import { hostJailUnavailable } from "./install-hint.js";
import { unenforceableLimits } from "./limits-check.js";
import { SandboxManager, type SandboxManagerDeps } from "./manager.js";
import type { SandboxBackend } from "./types.js";

/** How often idle sandbox workspaces are pruned (ms). Inbound media follow the retention of the lifecycle stage. */
const PRUNE_INTERVAL_MS = 3_600_000;

/** Dependencies of {@link createSandboxStage}. */
export interface SandboxStageDeps {
  readonly config: HoldfastConfig;
  /** Named in config errors. */
  readonly configPath: string;
  /** `<stateDir>/sandboxes`. */
  readonly sandboxesDir: string;
  /** `<stateDir>/media`: inbound media, outside every jail. */
  readonly mediaDir: string;
  readonly roster: Pick<AgentRoster, "ids" | "workspaceOf">;
  /** The session's current id (changes on reset), undefined when the session does not exist yet. */
  readonly sessionIdOf: (sessionKey: string) => Promise<string | undefined>;
  readonly clock: Clock;
  readonly log: Logger;
  /** Test seam: backends by kind. */
  readonly backends?: SandboxManagerDeps["backends"];
}

/** What the jails of every session share: the host-jail backend, the session cgroups, inbound media. */
export interface JailRuntime {
  /** The bubblewrap backend host jails run on (the same instance bubblewrap sandboxes use). */
  readonly hostBackend: SandboxBackend;
  readonly media: InboundMedia;
  /** Per-session cgroups, once started (undefined where this machine has none). */
  cgroups(): SessionCgroups | undefined;
}

/** The sandbox stage: which sessions are jailed and where, the jails' shared parts, and pruning. */
export interface SandboxStage {
  readonly manager: SandboxManager;
  readonly jails: JailRuntime;
  /** Opens the session cgroups, says what is missing for the host jail, prunes now and then hourly. */
  start(): Promise<void>;
  /** Stops pruning, every long-lived jail and the session cgroups. */
  stop(): Promise<void>;
}

/**
 * Checks every `sandbox` block (unsafe binds, workspace roots, Docker settings; seeds "Sandbox",
 * reference §7) and that every configured session-wide limit can be enforced on this machine
 * (cgroups; issue "Containment"). A gateway start precondition; creates nothing.
 * @returns the session cgroup probe it used
 * @throws HoldfastError HF_CONFIG_INVALID naming each bad key path.
 */
export async function checkSandboxSettings(config: HoldfastConfig, configPath: string): Promise<CgroupProbe> {
  const probe = await probeSessionCgroups();
  const defaultBackend = (await findSystemBinary("bwrap")) ? "bubblewrap" : "docker";
  const issues = [...sandboxConfigIssues(config, os.homedir()), ...unenforceableLimits(config, probe, defaultBackend)];
  if (issues.length > 0)
    throw new HoldfastError(
      "HF_CONFIG_INVALID",
      `Invalid config (${configPath}):\n${issues.map((l) => `  - ${l}`).join("\n")}`,
      { issues },
    );
  return probe;
}

/**
 * Builds the sandbox stage after checking every `sandbox` block (unsafe binds, workspace roots,
 * Docker settings; seeds "Sandbox", reference §7) and that every configured session-wide limit can
 * be enforced here (cgroups; issue "Containment").
 * @throws HoldfastError HF_CONFIG_INVALID naming each bad key path.
 */
export async function createSandboxStage(deps: SandboxStageDeps): Promise<SandboxStage> {
  const probe = await checkSandboxSettings(deps.config, deps.configPath);
  const bubblewrap = deps.backends?.bubblewrap ?? new BubblewrapBackend();
  const manager = new SandboxManager({
    config: deps.config,
    sandboxesDir: deps.sandboxesDir,
    workspaceOf: (id) => deps.roster.workspaceOf(id),
    sessionIdOf: deps.sessionIdOf,
    agentIds: () => deps.roster.ids(),
    clock: deps.clock,
    log: deps.log,
    backends: { ...deps.backends, bubblewrap },
  });
  const media = new InboundMedia(deps.mediaDir);
  let cgroups: SessionCgroups | undefined;
  let timer: NodeJS.Timeout | undefined;
  const prune = () => manager.prune();
  return {
    manager,
    jails: { hostBackend: bubblewrap, media, cgroups: () => cgroups },
    async start() {
      await media.clearViews();
      if (probe.ok) {
        const opened = await openSessionCgroups();
        if (opened.ok) cgroups = opened.cgroups;
        else deps.log.warn({ reason: opened.reason }, "session limits fall back to per-process limits");
      } else deps.log.info({ reason: probe.reason }, "no session cgroups: limits hold per process");
      if (deps.config.tools?.exec?.hostJail !== "off") {
        const a = await bubblewrap.availability();
        if (!a.ok) deps.log.warn(hostJailUnavailable(a.reason));
      }
      void prune();
      timer ??= setInterval(() => void prune(), PRUNE_INTERVAL_MS);
      timer.unref();
    },
    async stop() {
      clearInterval(timer);
      await media.clearViews();
      await manager.close();
      await cgroups?.close();
    },
  };
}
