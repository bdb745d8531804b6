import path from "node:path";
import type { HoldfastConfig } from "../config/index.js";
import { HoldfastError } from "../errors/index.js";
import { ensurePrivateDir } from "../infra/index.js";
import {
  hostJailUnavailable,
  helperScript,
  hostJailSpec,
  hostRunner,
  JAIL_PATH,
  runHelperOnce,
  SANDBOX_AGENT_DIR,
  SANDBOX_WORKDIR,
  sandboxRunner,
  scrubbedEnv,
  type Availability,
  type FileOp,
  type FileOpResult,
  type InboundMedia,
  type SandboxBackend,
  type SandboxManager,
  type SandboxSpec,
  type SessionCgroups,
} from "../sandbox/index.js";
import { elevatedGate, elevatedSenderOf, type ElevatedSessions } from "./elevated.js";
import type { ExecTarget } from "./exec-tool.js";
import type { ToolFiles } from "./jail-files.js";
import { execLimits } from "./settings.js";
import type { ToolContext } from "./types.js";

/** What {@link JailEnvironment} needs. */
export interface JailEnvironmentDeps {
  readonly config: HoldfastConfig;
  readonly workspaceOf: (agentId: string) => string;
  readonly sandbox: SandboxManager;
  readonly elevated: ElevatedSessions;
  /** The bubblewrap backend host jails run on (shared with the sandbox when it is bubblewrap). */
  readonly hostBackend: SandboxBackend;
  /** Per-session cgroups, when this machine has them (opened when the sandbox stage starts). */
  readonly cgroups: () => SessionCgroups | undefined;
  readonly media: InboundMedia;
  /** The gateway's environment (the child env is built from an allowlist of it). */
  readonly env: NodeJS.ProcessEnv;
}

/** A call's jail: where its commands and file operations run. */
export interface CallJail {
  readonly where: "sandbox" | "host";
  readonly backend: SandboxBackend;
  readonly spec: SandboxSpec;
  /** The workspace as the jail sees it. */
  readonly workspaceAt: string;
  /** Directories file operations may use (jail paths) and whether they are writable. */
  readonly roots: readonly { readonly path: string; readonly writable: boolean }[];
}

/** The tools that touch files or run commands, and so need the call's jail. */
export const JAIL_TOOLS: ReadonlySet<string> = new Set([
  "read",
  "write",
  "edit",
  "apply_patch",
  "exec",
  "process",
  "memory_search",
  "memory_get",
  "image",
]);

/**
 * Where a session's tools run: every call inside a jail. Sandboxed sessions use their sandbox
 * (bubblewrap or Docker); unsandboxed ("host") sessions the host jail (bubblewrap, `host` profile:
 * the agent workspace read-write at its path, nothing else of the host's files, a fresh /proc);
 * elevated exec of a sandboxed session runs in a host jail on the sandbox workspace. Each jail gets
 * the session's inbound media read-only at /inbox and joins the session's cgroup (aggregate limits).
 * Without bubblewrap, host-session tools are refused with what to install, unless the operator set
 * `tools.exec.hostJail: "off"` (then they run on the host, as `security audit` reports).
 * Source: issue "Containment": "Every tool call runs inside a jail, main session included".
 */
export class JailEnvironment {
  constructor(private readonly d: JailEnvironmentDeps) {}

  /** `tools.exec.hostJail` (default on). */
  get hostJailOn(): boolean {
    return this.d.config.tools?.exec?.hostJail !== "off";
  }

  /** The directory a run's tools use (host path): the sandbox workspace, or the agent workspace. */
  async workspaceFor(agentId: string, sessionKey: string): Promise<string> {
    if (this.d.sandbox.isSandboxed(agentId, sessionKey))
      return (await this.d.sandbox.prepare(agentId, sessionKey)).toolsDir;
    const dir = this.d.workspaceOf(agentId);
    await ensurePrivateDir(dir);
    return dir;
  }

  /**
   * Whether the session's jail can run now; the reason says what to install when not. Sessions
   * without a jail by configuration (`hostJail: "off"`) are always available.
   */
  async availability(agentId: string, sessionKey: string): Promise<Availability> {
    if (this.d.sandbox.isSandboxed(agentId, sessionKey)) return this.d.sandbox.availability(agentId);
    if (!this.hostJailOn) return { ok: true };
    const a = await this.d.hostBackend.availability();
    return a.ok ? a : { ok: false, reason: hostJailUnavailable(a.reason) };
  }

  /**
   * Saves an inbound attachment of a session into its gateway-owned media directory (readable by
   * the session's jail user) and returns the path the session's tools see (`/inbox/<name>`).
   */
  async saveMedia(
    target: { readonly agentId: string; readonly sessionKey: string },
    bytes: Uint8Array,
    extension: string | undefined,
  ): Promise<string> {
    const gid = process.getgid?.() ?? 0;
    const user = this.d.sandbox.isSandboxed(target.agentId, target.sessionKey)
      ? (await this.d.sandbox.prepare(target.agentId, target.sessionKey)).spec.user
      : undefined;
    const readerGid = user && user.gid !== gid ? { readerGid: user.gid } : {};
    return (await this.d.media.save({ ...target, ...readerGid }, bytes, extension)).jailPath;
  }

  /** The call's jail (undefined: host jail off). @throws HoldfastError HF_SANDBOX_UNAVAILABLE with what to install. */
  async jailFor(ctx: ToolContext, opts: { readonly elevated?: boolean } = {}): Promise<CallJail | undefined> {
    const sandboxed = this.d.sandbox.isSandboxed(ctx.agentId, ctx.sessionKey);
    if (sandboxed && !opts.elevated) {
      const p = await this.d.sandbox.prepare(ctx.agentId, ctx.sessionKey);
      const a = await this.d.sandbox.availability(ctx.agentId);
      if (!a.ok) throw new HoldfastError("HF_SANDBOX_UNAVAILABLE", a.reason);
      const spec = await this.withSession(ctx, p.spec, p.settings.limits, p.backend);
      return {
        where: "sandbox",
        backend: p.backend,
        spec,
        workspaceAt: SANDBOX_WORKDIR,
        roots: [
          { path: SANDBOX_WORKDIR, writable: true },
          ...(p.spec.agentWorkspaceDir ? [{ path: SANDBOX_AGENT_DIR, writable: false }] : []),
          { path: "/inbox", writable: false },
        ],
      };
    }
    if (!this.hostJailOn) return undefined;
    const a = await this.d.hostBackend.availability();
    if (!a.ok) throw new HoldfastError("HF_SANDBOX_UNAVAILABLE", hostJailUnavailable(a.reason));
    const settings = this.d.sandbox.settings(ctx.agentId);
    const box = sandboxed ? (await this.d.sandbox.prepare(ctx.agentId, ctx.sessionKey)).spec : undefined;
    const workspaceDir = box?.workspaceDir ?? ctx.workspaceDir;
    const user = box?.user ?? { uid: process.getuid?.() ?? 0, gid: process.getgid?.() ?? 0 };
    const base = hostJailSpec({
      scopeKey: `session:${ctx.sessionKey}`,
      workspaceDir,
      user,
      network: this.d.config.tools?.exec?.hostJailNetwork ?? "host",
      limits: settings.limits,
    });
    return {
      where: "host",
      backend: this.d.hostBackend,
      spec: await this.withSession(ctx, base, settings.limits, this.d.hostBackend),
      workspaceAt: workspaceDir,
      roots: [
        { path: workspaceDir, writable: true },
        { path: "/inbox", writable: false },
      ],
    };
  }

  /** The file-tool port: operations run inside the call's jail. */
  readonly files: ToolFiles = {
    run: async (ctx, ops, opts = {}) => {
      const jail = await this.jailFor(ctx);
      const confine = this.confined(ctx, opts.kind ?? "fs");
      const request = {
        cwd: jail?.workspaceAt ?? ctx.workspaceDir,
        roots: jail?.roots ?? [{ path: ctx.workspaceDir, writable: true }],
        confine,
        ops: ops as FileOp[],
        ...(opts.continueOnError ? { continueOnError: true } : {}),
      };
      if (jail) return jail.backend.files(jail.spec, request, ctx.signal);
      return this.filesOnHost(ctx, request);
    },
  };

  /**
   * Where `exec` runs for this call: the session's jail; elevated mode (on for the session, and the
   * sender passes the gates) moves a sandboxed session's exec into a host jail on its workspace.
   * `tools.exec.host`: `auto` (default), `sandbox` (fails closed without a sandbox), `gateway`
   * (refused for sandboxed sessions; use elevated mode), `node` (not supported).
   * @throws HoldfastError HF_TOOL_FAILED for an unusable host setting, HF_SANDBOX_UNAVAILABLE without a jail runtime.
   */
  async execTarget(ctx: ToolContext): Promise<ExecTarget> {
    const host = this.d.config.tools?.exec?.host ?? "auto";
    if (host === "node") throw new HoldfastError("HF_TOOL_FAILED", "exec host=node is not supported by holdfast");
    const sandboxed = this.d.sandbox.isSandboxed(ctx.agentId, ctx.sessionKey);
    const elevated =
      sandboxed &&
      this.d.elevated.isOn(ctx.sessionKey) &&
      elevatedGate(this.d.config, ctx.agentId, elevatedSenderOf(ctx.sender)).allow;
    if (sandboxed && !elevated && host === "gateway")
      throw new HoldfastError(
        "HF_TOOL_FAILED",
        "exec host=gateway is refused for a sandboxed session; an allowed sender can turn on /elevated",
      );
    if (host === "sandbox" && !sandboxed)
      throw new HoldfastError("HF_TOOL_FAILED", "exec host=sandbox requires a sandbox runtime for this session.");
    const jail = await this.jailFor(ctx, { elevated });
    const settings = this.d.sandbox.settings(ctx.agentId);
    if (!jail)
      return {
        where: "host",
        runner: hostRunner,
        workspaceDir: ctx.workspaceDir,
        toRunnerPath: (p) => p,
        env: scrubbedEnv(this.d.env, ctx.workspaceDir),
        elevated,
        limits: execLimits(this.d.config),
      };
    const root = jail.spec.workspaceDir;
    return {
      where: jail.where,
      runner: sandboxRunner(jail.backend, jail.spec),
      workspaceDir: root,
      toRunnerPath: (p) =>
        isWithin(root, p) ? path.posix.join(jail.workspaceAt, ...path.relative(root, p).split(path.sep)) : p,
      env: { ...scrubbedEnv(this.d.env, jail.workspaceAt), PATH: JAIL_PATH },
      elevated,
      limits: execLimits(this.d.config, jail.where === "sandbox" ? settings : undefined),
    };
  }

  /**
   * Whether file paths must stay in the workspace: always for sandboxed sessions; otherwise
   * `tools.fs.workspaceOnly` (default true); `apply_patch` also `tools.exec.applyPatch.workspaceOnly`
   * (default true). Source: reference §6.7.
   */
  private confined(ctx: ToolContext, kind: "fs" | "patch"): boolean {
    const t = this.d.config.tools;
    return (
      this.d.sandbox.isSandboxed(ctx.agentId, ctx.sessionKey) ||
      (t?.fs?.workspaceOnly ?? true) ||
      (kind === "patch" && (t?.exec?.applyPatch?.workspaceOnly ?? true))
    );
  }

  /** The session's media mount and cgroup added to a jail spec. */
  private async withSession(
    ctx: ToolContext,
    spec: SandboxSpec,
    limits: SandboxSpec["limits"],
    backend: SandboxBackend,
  ): Promise<SandboxSpec> {
    const gid = process.getgid?.() ?? 0;
    const reader = spec.user.gid !== gid ? spec.user.gid : undefined;
    const media = await this.d.media.mountFor(ctx.agentId, ctx.sessionKey, reader);
    const cg = this.d.cgroups();
    const withMedia: SandboxSpec = { ...spec, readOnlyMounts: [...(spec.readOnlyMounts ?? []), media] };
    if (!cg || backend.kind === "docker") return withMedia;
    const join = await cg.prepare(ctx.sessionKey, {
      ...(cg.controllers.has("memory") ? { memoryMb: limits.memoryMb } : {}),
      ...(cg.controllers.has("pids") ? { pids: limits.pids } : {}),
      ...(cg.controllers.has("cpu") && limits.cpus !== undefined ? { cpus: limits.cpus } : {}),
    });
    return { ...withMedia, cgroup: { procs: join.procs, controllers: [...cg.controllers] } };
  }

  /** `hostJail: "off"`: the one-shot helper as a plain child process (a FIFO still never blocks the gateway). */
  private filesOnHost(ctx: ToolContext, request: Parameters<SandboxBackend["files"]>[1]): Promise<FileOpResult[]> {
    return runHelperOnce((req) => hostRunner.run({ ...req, cwd: ctx.workspaceDir }), request, {
      cwd: ctx.workspaceDir,
      signal: ctx.signal,
      argv: [process.execPath, helperScript("fileops")],
    });
  }
}

function isWithin(root: string, p: string): boolean {
  const rel = path.relative(root, p);
  return rel === "" || (!rel.startsWith("..") && !path.isAbsolute(rel));
}
