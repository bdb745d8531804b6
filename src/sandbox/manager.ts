import { createHash, randomBytes } from "node:crypto";
import { promises as fsp } from "node:fs";
import path from "node:path";
import type { HoldfastConfig } from "../config/index.js";
import { ensurePrivateDir, type Clock } from "../infra/index.js";
import type { Logger } from "../logging/index.js";
import { BubblewrapBackend, findSystemBinary } from "./bubblewrap.js";
import { isSandboxedSession, resolveSandbox, type ResolvedSandbox } from "./config.js";
import { DockerBackend } from "./docker.js";
import { SandboxRegistry } from "./registry.js";
import {
  SANDBOX_AGENT_DIR,
  SANDBOX_WORKDIR,
  type Availability,
  type SandboxBackend,
  type SandboxSpec,
} from "./types.js";

/** A session's sandbox, ready to run commands in. */
export interface PreparedSandbox {
  readonly spec: SandboxSpec;
  readonly backend: SandboxBackend;
  readonly settings: ResolvedSandbox;
  /** Host directory the file tools use (the sandbox workspace, or the agent workspace for `rw`). */
  readonly toolsDir: string;
  /** Sandbox paths and their host directories (`/workspace`, `/agent`). */
  readonly mounts: readonly { readonly at: string; readonly hostDir: string; readonly readOnly: boolean }[];
}

/** What the manager needs from the rest of the gateway. */
export interface SandboxManagerDeps {
  readonly config: HoldfastConfig;
  readonly sandboxesDir: string;
  readonly workspaceOf: (agentId: string) => string;
  /** The session's current id (changes on reset), undefined when the session does not exist yet. */
  readonly sessionIdOf: (sessionKey: string) => Promise<string | undefined>;
  readonly agentIds: () => readonly string[];
  readonly clock: Clock;
  readonly log: Logger;
  /** Test seam: backends by kind. */
  readonly backends?: Partial<Record<"bubblewrap" | "docker", SandboxBackend>>;
}

/** The unprivileged user sandboxes run as when the gateway is root and nothing else applies. */
export const SANDBOX_UID = 65534;

/**
 * Decides which sessions are sandboxed, prepares per-scope workspaces under `<stateDir>/sandboxes`
 * (700; `session-…`, `agent-<id>`, `shared`), picks the backend, and cleans workspaces when their
 * scope ends: a reset or deleted session's workspace is wiped (its session id changed), and idle
 * ones are pruned (`prune.idleHours` for session scope, `prune.maxAgeDays` otherwise, or when the agent
 * is gone). Source: issue "Sandbox", reference §7.
 */
export class SandboxManager {
  private readonly registry: SandboxRegistry;
  private readonly cache = new Map<string, SandboxBackend>();
  private defaultKind: Promise<"bubblewrap" | "docker"> | undefined;
  private warnedRootUser = false;
  /** Workspace dirs created (and chowned) by this process; pruning clears it. */
  private readonly prepared = new Set<string>();
  private readonly availabilityCache = new Map<SandboxBackend, { at: number; result: Availability }>();

  constructor(private readonly deps: SandboxManagerDeps) {
    this.registry = new SandboxRegistry(deps.sandboxesDir, deps.clock);
  }

  settings(agentId: string): ResolvedSandbox {
    return resolveSandbox(this.deps.config, agentId);
  }

  /** Whether the session runs sandboxed (reference §7.2). */
  isSandboxed(agentId: string, sessionKey: string): boolean {
    return isSandboxedSession(this.settings(agentId), agentId, sessionKey);
  }

  /** The backend of an agent: configured, else bubblewrap when `bwrap` exists, else docker. */
  async backendFor(agentId: string): Promise<SandboxBackend> {
    const s = this.settings(agentId);
    const kind =
      s.backend ?? (await (this.defaultKind ??= findSystemBinary("bwrap").then((p) => (p ? "bubblewrap" : "docker"))));
    const key = kind === "docker" ? `docker:${JSON.stringify(s.docker)}` : kind;
    let b = this.cache.get(key);
    if (!b) {
      b =
        this.deps.backends?.[kind] ??
        (kind === "docker" ? new DockerBackend(s.docker, s.docker.socketPath) : new BubblewrapBackend());
      this.cache.set(key, b);
    }
    return b;
  }

  /** Whether the agent's backend can run commands; the reason names the backend. Cached 30 s (ok) / 5 s (not ok). */
  async availability(agentId: string): Promise<Availability> {
    const backend = await this.backendFor(agentId);
    const now = this.deps.clock.now();
    const hit = this.availabilityCache.get(backend);
    if (hit && now - hit.at < (hit.result.ok ? 30_000 : 5_000)) return hit.result;
    const a = await backend.availability();
    const result: Availability = a.ok
      ? a
      : { ok: false, reason: `the ${backend.kind} sandbox backend is unavailable: ${a.reason}` };
    this.availabilityCache.set(backend, { at: now, result });
    return result;
  }

  /** Creates (or reuses) the session's scope workspace and returns its spec. */
  async prepare(agentId: string, sessionKey: string): Promise<PreparedSandbox> {
    const s = this.settings(agentId);
    const root = s.workspaceRoot ?? this.deps.sandboxesDir;
    const name = scopeDirName(s.scope, agentId, sessionKey);
    const dir = path.join(root, name);
    const agentWs = this.deps.workspaceOf(agentId);
    const fresh = !this.prepared.has(dir);
    if (fresh) {
      await ensurePrivateDir(root);
      if (s.workspaceAccess !== "none") await ensurePrivateDir(agentWs);
    }
    const user = await this.userFor(s, agentWs);
    const sessionId = s.scope === "session" ? await this.deps.sessionIdOf(sessionKey) : undefined;
    const reset = await this.registry.touch(root, name, {
      scope: s.scope,
      agentId,
      ...(s.scope === "session" ? { sessionKey } : {}),
      ...(sessionId ? { sessionId } : {}),
    });
    if (reset) {
      this.deps.log.info({ sandbox: name }, "sandbox workspace reset (new session)");
      await this.removeWorkspace(dir);
    }
    if (fresh || reset) {
      await ensurePrivateDir(dir);
      if (process.getuid?.() === 0) await fsp.chown(dir, user.uid, user.gid);
      this.prepared.add(dir);
    }
    const rw = s.workspaceAccess === "rw";
    const spec: SandboxSpec = {
      scopeKey: s.scope === "session" ? `session:${sessionKey}` : s.scope === "agent" ? `agent:${agentId}` : "shared",
      workspaceDir: rw ? agentWs : dir,
      ...(s.workspaceAccess === "ro" ? { agentWorkspaceDir: agentWs } : {}),
      network: s.network,
      limits: s.limits,
      user,
    };
    const mounts = [
      { at: SANDBOX_WORKDIR, hostDir: spec.workspaceDir, readOnly: false },
      ...(spec.agentWorkspaceDir ? [{ at: SANDBOX_AGENT_DIR, hostDir: spec.agentWorkspaceDir, readOnly: true }] : []),
    ];
    return { spec, backend: await this.backendFor(agentId), settings: s, toolsDir: spec.workspaceDir, mounts };
  }

  /** Stops every backend's long-lived jails (shutdown). */
  async close(): Promise<void> {
    for (const b of new Set([...this.cache.values(), ...Object.values(this.deps.backends ?? {})])) await b.close?.();
  }

  /** Removes workspaces whose scope ended. Never throws (failures are logged). */
  async prune(): Promise<number> {
    try {
      this.prepared.clear();
      return await this.registry.prune(
        async (entry) => {
          const s = this.settings(entry.agentId);
          const idleMs = this.deps.clock.now() - entry.lastUsedAt;
          if (entry.scope === "session" && entry.sessionKey) {
            const current = await this.deps.sessionIdOf(entry.sessionKey);
            if (entry.sessionId && current !== entry.sessionId) return true;
            return idleMs > s.prune.idleHours * 3_600_000;
          }
          if (entry.scope === "agent" && !this.deps.agentIds().includes(entry.agentId)) return true;
          return idleMs > s.prune.maxAgeDays * 86_400_000;
        },
        (dir) => this.removeWorkspace(dir),
      );
    } catch (err) {
      this.deps.log.warn({ err }, "sandbox prune failed");
      return 0;
    }
  }

  /**
   * Removes a workspace the model could write: its jails are stopped first (nothing of the session
   * still runs to race the removal), then it is renamed inside the gateway-owned sandboxes directory
   * and deleted there (symlinks are removed, never followed).
   */
  private async removeWorkspace(dir: string): Promise<void> {
    for (const b of new Set([...this.cache.values(), ...Object.values(this.deps.backends ?? {})]))
      await b.stopWorkspace?.(dir);
    const trash = `${dir}.removing-${randomBytes(4).toString("hex")}`;
    const moved = await fsp.rename(dir, trash).then(
      () => true,
      () => false,
    );
    await fsp.rm(moved ? trash : dir, { recursive: true, force: true });
  }

  /** The sandbox user: the workspace owner for ro/rw, else 65534 when root, else the gateway's own user. */
  private async userFor(s: ResolvedSandbox, agentWs: string): Promise<{ uid: number; gid: number }> {
    const self = { uid: process.getuid?.() ?? 0, gid: process.getgid?.() ?? 0 };
    if (self.uid !== 0) return self;
    if (s.workspaceAccess === "none") return { uid: SANDBOX_UID, gid: SANDBOX_UID };
    const st = await fsp.stat(agentWs);
    if (st.uid === 0 && !this.warnedRootUser) {
      this.warnedRootUser = true;
      this.deps.log.warn(
        { workspace: agentWs },
        `sandbox workspaceAccess "${s.workspaceAccess}" with a root-owned agent workspace: the sandbox keeps uid 0 (no capabilities), and the process limit cannot apply to uid 0; chown the workspace to an unprivileged user`,
      );
    }
    return { uid: st.uid, gid: st.gid };
  }
}

/** Directory name of a scope's workspace: `session-<agent>-<slug>-<hash>`, `agent-<id>`, `shared`. */
export function scopeDirName(scope: ResolvedSandbox["scope"], agentId: string, sessionKey: string): string {
  if (scope === "shared") return "shared";
  if (scope === "agent") return `agent-${agentId}`;
  const hash = createHash("sha256").update(sessionKey).digest("hex").slice(0, 10);
  const slug = sessionKey
    .replace(/^agent:[^:]+:/, "")
    .replace(/[^a-z0-9_-]+/gi, "_")
    .slice(0, 48);
  return `session-${agentId}-${slug}-${hash}`;
}
