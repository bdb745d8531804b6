import type { HoldfastConfig } from "../config/index.js";
import type { LimitController } from "./cgroup-layout.js";
import type { CgroupProbe } from "./cgroups.js";
import { resolveSandbox } from "./config.js";

const CONTROLLER: Readonly<Record<"memoryMb" | "pids" | "cpus", LimitController>> = {
  memoryMb: "memory",
  pids: "pids",
  cpus: "cpu",
};

/**
 * Session-wide limits the config sets but this machine cannot enforce, one line per key path with
 * the reason: the limit needs a cgroup (none can be made here, or its controller is missing), or
 * the agent uses the Docker backend (one container per command: a session-wide limit cannot hold
 * across containers; `docker.memory`/`pidsLimit`/`cpus` limit each container). A narrowing key is
 * enforced or refused, never accepted and ignored. `defaultBackend`: the backend when none is set.
 * Source: issue "Containment": "the gateway refuses limits it cannot enforce".
 */
export function unenforceableLimits(
  config: HoldfastConfig,
  cgroups: CgroupProbe,
  defaultBackend: "bubblewrap" | "docker",
): string[] {
  const out: string[] = [];
  const blocks: [string, string, boolean][] = [
    ["agents.defaults.sandbox.limits", "", config.agents?.defaults?.sandbox?.limits !== undefined],
    ...(config.agents?.list ?? []).map(
      (a, i) => [`agents.list.${i}.sandbox.limits`, a.id, a.sandbox?.limits !== undefined] as [string, string, boolean],
    ),
  ];
  for (const [at, agentId, present] of blocks) {
    if (!present) continue;
    const s = resolveSandbox(config, agentId);
    const own = at.startsWith("agents.defaults")
      ? config.agents?.defaults?.sandbox?.limits
      : config.agents?.list?.find((a) => a.id === agentId)?.sandbox?.limits;
    for (const key of s.limitsConfigured.filter((k) => own?.[k] !== undefined)) {
      const backend = s.backend ?? defaultBackend;
      if (backend === "docker" && s.mode !== "off")
        out.push(
          `${at}.${key}: a session-wide limit cannot hold across the Docker backend's one container per command; set docker.${key === "memoryMb" ? "memory" : key === "pids" ? "pidsLimit" : "cpus"} (per container) or use the bubblewrap backend`,
        );
      else if (!cgroups.ok) out.push(`${at}.${key}: a session-wide limit needs a cgroup, and ${cgroups.reason}`);
      else if (!cgroups.controllers.has(CONTROLLER[key]))
        out.push(`${at}.${key}: the cgroup ${CONTROLLER[key]} controller is not available to the gateway here`);
    }
  }
  return out;
}
