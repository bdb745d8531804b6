import path from "node:path";
import type { HoldfastConfig, SandboxConfig } from "../config/index.js";
import { mainSessionKey } from "../sessions/index.js";
import { DEFAULT_DOCKER_SETTINGS, type DockerSettings } from "./docker-payload.js";
import type { SandboxLimits } from "./types.js";

/** The sandbox settings of one agent with holdfast's defaults applied. */
export interface ResolvedSandbox {
  readonly mode: "off" | "non-main" | "all";
  readonly scope: "session" | "agent" | "shared";
  readonly workspaceAccess: "none" | "ro" | "rw";
  /** Undefined = bubblewrap when `bwrap` exists, else docker. */
  readonly backend?: "bubblewrap" | "docker";
  /** Undefined = `<stateDir>/sandboxes`. */
  readonly workspaceRoot?: string;
  readonly network: "none" | "host";
  readonly limits: SandboxLimits;
  /** The session-wide limits set explicitly in the config (they are enforced or the config is refused). */
  readonly limitsConfigured: readonly ("memoryMb" | "pids" | "cpus")[];
  /** Wall-clock limit of a sandboxed command (ms); the exec timeout applies when lower. */
  readonly timeoutMs?: number;
  /** Output cap of a sandboxed command (bytes); the exec cap applies when lower. */
  readonly outputBytes?: number;
  readonly docker: DockerSettings & { readonly socketPath?: string };
  readonly prune: { readonly idleHours: number; readonly maxAgeDays: number };
}

/** holdfast defaults (fail closed; reference §7.1 defaults are mode off / scope agent). */
export const SANDBOX_DEFAULTS = {
  mode: "non-main",
  scope: "session",
  workspaceAccess: "none",
  network: "none",
} as const;
export const DEFAULT_SANDBOX_LIMITS: SandboxLimits = { memoryMb: 1024, pids: 256, cpuSeconds: 120, fileSizeMb: 1024 };

/**
 * Merges `agents.defaults.sandbox` with `agents.list[].sandbox` of `agentId` and applies defaults.
 * Source: issue "Sandbox (holdfast's default: mode non-main, scope session, workspaceAccess none)".
 */
export function resolveSandbox(config: HoldfastConfig, agentId: string): ResolvedSandbox {
  const d = config.agents?.defaults?.sandbox ?? {};
  const a = config.agents?.list?.find((x) => x.id === agentId)?.sandbox ?? {};
  const pick = <K extends keyof SandboxConfig>(k: K): SandboxConfig[K] => (a[k] !== undefined ? a[k] : d[k]);
  const limits = { ...(d.limits ?? {}), ...(a.limits ?? {}) };
  const dk = { ...(d.docker ?? {}), ...(a.docker ?? {}) };
  const backend = pick("backend");
  const root = pick("workspaceRoot");
  const memoryMb = limits.memoryMb ?? DEFAULT_SANDBOX_LIMITS.memoryMb;
  return {
    mode: pick("mode") ?? SANDBOX_DEFAULTS.mode,
    scope: pick("scope") ?? SANDBOX_DEFAULTS.scope,
    workspaceAccess: pick("workspaceAccess") ?? SANDBOX_DEFAULTS.workspaceAccess,
    ...(backend ? { backend } : {}),
    ...(root ? { workspaceRoot: root } : {}),
    network: pick("network") ?? SANDBOX_DEFAULTS.network,
    limits: {
      memoryMb: dk.memory !== undefined ? Math.ceil(toBytes(dk.memory) / (1024 * 1024)) : memoryMb,
      pids: dk.pidsLimit ?? limits.pids ?? DEFAULT_SANDBOX_LIMITS.pids,
      cpuSeconds: limits.cpuSeconds ?? DEFAULT_SANDBOX_LIMITS.cpuSeconds,
      fileSizeMb: limits.fileSizeMb ?? DEFAULT_SANDBOX_LIMITS.fileSizeMb,
      ...(limits.cpus !== undefined ? { cpus: limits.cpus } : {}),
    },
    limitsConfigured: (["memoryMb", "pids", "cpus"] as const).filter((k) => limits[k] !== undefined),
    ...(limits.timeoutMs !== undefined ? { timeoutMs: limits.timeoutMs } : {}),
    ...(limits.outputBytes !== undefined ? { outputBytes: limits.outputBytes } : {}),
    docker: {
      image: dk.image ?? DEFAULT_DOCKER_SETTINGS.image,
      containerPrefix: dk.containerPrefix ?? DEFAULT_DOCKER_SETTINGS.containerPrefix,
      network: dk.network ?? (pick("network") === "host" ? "host" : DEFAULT_DOCKER_SETTINGS.network),
      readOnlyRoot: dk.readOnlyRoot ?? true,
      tmpfs: dk.tmpfs ?? DEFAULT_DOCKER_SETTINGS.tmpfs,
      capDrop: dk.capDrop ?? DEFAULT_DOCKER_SETTINGS.capDrop,
      ...(dk.user !== undefined ? { user: dk.user } : {}),
      ...(dk.cpus !== undefined ? { cpus: dk.cpus } : {}),
      ...(dk.memorySwap !== undefined ? { memorySwapBytes: toBytes(dk.memorySwap) } : {}),
      binds: dk.binds ?? [],
      env: dk.env ?? {},
      ...(dk.seccompProfile ? { seccompProfile: dk.seccompProfile } : {}),
      ...(dk.apparmorProfile ? { apparmorProfile: dk.apparmorProfile } : {}),
      ...(dk.socketPath ? { socketPath: dk.socketPath } : {}),
    },
    prune: { idleHours: pick("prune")?.idleHours ?? 24, maxAgeDays: pick("prune")?.maxAgeDays ?? 7 },
  };
}

/**
 * Whether a session runs sandboxed: mode `all`, or `non-main` and the key is not the agent's main
 * session key (`agent:<id>:main`). Source: reference §7.2.
 */
export function isSandboxedSession(sb: Pick<ResolvedSandbox, "mode">, agentId: string, sessionKey: string): boolean {
  if (sb.mode === "off") return false;
  if (sb.mode === "all") return true;
  return sessionKey.trim().toLowerCase() !== mainSessionKey(agentId);
}

/** `docker.memory` values: bytes, or a number with k/m/g suffix. */
export function toBytes(v: string | number): number {
  if (typeof v === "number") return v;
  const m = /^(\d+(?:\.\d+)?)\s*([kmg]?)b?$/i.exec(v.trim());
  if (!m) return Number.NaN;
  const unit = { "": 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 }[(m[2] ?? "").toLowerCase() as "" | "k" | "m" | "g"];
  return Math.round(Number(m[1]) * unit);
}

const BLOCKED_BIND_SOURCES = [
  "/etc",
  "/private/etc",
  "/proc",
  "/sys",
  "/dev",
  "/root",
  "/boot",
  "/run",
  "/var/run",
  "/private/var/run",
  "/var/lib/docker",
];
const BLOCKED_HOME_DIRS = [".aws", ".cargo", ".config", ".docker", ".gnupg", ".netrc", ".npm", ".ssh"];

/**
 * Safety checks of the sandbox settings (reference §7.5), one line per problem naming its key path:
 * docker network host / container:*, seccomp/apparmor unconfined, a root user, bind sources that
 * expose system or credential directories, reserved bind targets, unparsable memory values.
 */
export function sandboxConfigIssues(config: HoldfastConfig, home: string): string[] {
  const out: string[] = [];
  const blocks: [string, SandboxConfig | undefined][] = [
    ["agents.defaults.sandbox", config.agents?.defaults?.sandbox],
    ...(config.agents?.list ?? []).map(
      (a, i) => [`agents.list.${i}.sandbox`, a.sandbox] as [string, SandboxConfig | undefined],
    ),
  ];
  for (const [at, sb] of blocks) {
    const dk = sb?.docker;
    if (!dk) continue;
    if (dk.network === "host" || dk.network?.startsWith("container:"))
      out.push(
        `${at}.docker.network: "${dk.network}" would share a namespace with the host or another container; use "none" or a dedicated network`,
      );
    for (const k of ["seccompProfile", "apparmorProfile"] as const)
      if (dk[k] === "unconfined") out.push(`${at}.docker.${k}: "unconfined" is refused`);
    if (dk.user !== undefined && /^(root|0)(:|$)/.test(dk.user.trim()))
      out.push(`${at}.docker.user: the sandbox never runs as root`);
    for (const k of ["memory", "memorySwap"] as const)
      if (dk[k] !== undefined && !Number.isFinite(toBytes(dk[k] as string | number)))
        out.push(`${at}.docker.${k}: expected bytes or a size like "512m"`);
    (dk.binds ?? []).forEach((b, i) => {
      const problem = bindProblem(b, home, dk.dangerouslyAllowReservedContainerTargets === true);
      if (problem) out.push(`${at}.docker.binds.${i}: ${problem}`);
    });
  }
  return out;
}

function bindProblem(bind: string, home: string, allowReserved: boolean): string | undefined {
  const [source = "", target = ""] = bind.split(":");
  if (!path.isAbsolute(source)) return `bind source "${source}" must be an absolute path`;
  const src = path.resolve(source);
  const covers = (blocked: string) =>
    src === blocked || blocked.startsWith(`${src === "/" ? "" : src}/`) || src.startsWith(`${blocked}/`);
  if (BLOCKED_BIND_SOURCES.some(covers) || src.endsWith("docker.sock"))
    return `bind source "${source}" exposes a system directory or the Docker socket`;
  if (BLOCKED_HOME_DIRS.some((d) => covers(path.join(home, d))))
    return `bind source "${source}" exposes credentials in the home directory`;
  if (
    !allowReserved &&
    (target === "/workspace" || target === "/agent" || target.startsWith("/workspace/") || target.startsWith("/agent/"))
  )
    return `bind target "${target}" is reserved for the sandbox workspace`;
  return undefined;
}
