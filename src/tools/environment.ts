import path from "node:path";
import type { HoldfastConfig } from "../config/index.js";
import { HoldfastError } from "../errors/index.js";
import { ensurePrivateDir } from "../infra/index.js";
import type { Logger } from "../logging/index.js";
import {
  findSystemBinary,
  hostRunner,
  maskedHostRunner,
  SANDBOX_AGENT_DIR,
  SANDBOX_WORKDIR,
  sandboxRunner,
  scrubbedEnv,
  type SandboxManager,
} from "../sandbox/index.js";
import { elevatedGate, elevatedSenderOf, type ElevatedSessions } from "./elevated.js";
import type { ExecTarget } from "./exec-tool.js";
import type { FsScope } from "./fs-scope.js";
import { execLimits } from "./settings.js";
import type { ToolContext } from "./types.js";

/** What {@link ToolEnvironment} needs. */
export interface ToolEnvironmentDeps {
  readonly config: HoldfastConfig;
  readonly stateDir: string;
  readonly sandboxesDir: string;
  readonly workspaceOf: (agentId: string) => string;
  readonly agentIds: () => readonly string[];
  readonly sandbox: SandboxManager;
  readonly elevated: ElevatedSessions;
  /** The gateway's environment (the child env is built from an allowlist of it). */
  readonly env: NodeJS.ProcessEnv;
  readonly log: Logger;
}

/**
 * Where a session's tools work: the file scope (workspace, confinement, sandbox mounts, the state
 * dir always off limits) and the exec target (sandbox, host, or host through elevated mode).
 * Source: issue "tools.fs.workspaceOnly", "Elevated mode", "Sandbox"; reference §6.5–§6.7, §7.
 */
export class ToolEnvironment {
  private bwrap: Promise<string | undefined> | undefined;

  constructor(private readonly d: ToolEnvironmentDeps) {}

  /** The directory a run's tools use: the sandbox workspace for sandboxed sessions, else the agent workspace. */
  async workspaceFor(agentId: string, sessionKey: string): Promise<string> {
    if (this.d.sandbox.isSandboxed(agentId, sessionKey))
      return (await this.d.sandbox.prepare(agentId, sessionKey)).toolsDir;
    const dir = this.d.workspaceOf(agentId);
    await ensurePrivateDir(dir);
    return dir;
  }

  /**
   * The file scope of a call. Sandboxed sessions are always confined to the sandbox workspace (with
   * `/workspace` and, for `ro`, `/agent` as path prefixes). Otherwise `tools.fs.workspaceOnly`
   * (default true) applies; `apply_patch` also honours `tools.exec.applyPatch.workspaceOnly`
   * (default true).
   */
  scopeFor(ctx: ToolContext, kind: "fs" | "patch" = "fs"): FsScope {
    const sandboxed = this.d.sandbox.isSandboxed(ctx.agentId, ctx.sessionKey);
    const t = this.d.config.tools;
    const workspaceOnly =
      sandboxed || (t?.fs?.workspaceOnly ?? true) || (kind === "patch" && (t?.exec?.applyPatch?.workspaceOnly ?? true));
    const access = this.d.sandbox.settings(ctx.agentId).workspaceAccess;
    const mounts = sandboxed
      ? [
          { at: SANDBOX_WORKDIR, hostDir: ctx.workspaceDir, readOnly: false },
          ...(access === "ro"
            ? [{ at: SANDBOX_AGENT_DIR, hostDir: this.d.workspaceOf(ctx.agentId), readOnly: true }]
            : []),
        ]
      : undefined;
    return {
      workspaceDir: ctx.workspaceDir,
      workspaceOnly,
      stateDir: this.d.stateDir,
      stateDirAllowed: [...this.d.agentIds().map((id) => this.d.workspaceOf(id)), this.d.sandboxesDir],
      ...(mounts ? { mounts } : {}),
    };
  }

  /**
   * Where `exec` runs for this call: in the session's sandbox, unless elevated mode is on for the
   * session and the run's sender passes the elevated gates (then on the host). `tools.exec.host`:
   * `auto` (default), `sandbox` (fails closed without a sandbox), `gateway` (refused for sandboxed
   * sessions; use elevated mode), `node` (not supported).
   * @throws HoldfastError HF_TOOL_FAILED for an unusable host setting.
   */
  async execTarget(ctx: ToolContext): Promise<ExecTarget> {
    const host = this.d.config.tools?.exec?.host ?? "auto";
    if (host === "node") throw new HoldfastError("HF_TOOL_FAILED", "exec host=node is not supported by holdfast");
    const sandboxed = this.d.sandbox.isSandboxed(ctx.agentId, ctx.sessionKey);
    const elevated =
      sandboxed &&
      this.d.elevated.isOn(ctx.sessionKey) &&
      elevatedGate(this.d.config, ctx.agentId, elevatedSenderOf(ctx.sender)).allow;
    if (sandboxed && !elevated) {
      if (host === "gateway")
        throw new HoldfastError(
          "HF_TOOL_FAILED",
          "exec host=gateway is refused for a sandboxed session; an allowed sender can turn on /elevated",
        );
      const prepared = await this.d.sandbox.prepare(ctx.agentId, ctx.sessionKey);
      const root = prepared.spec.workspaceDir;
      return {
        where: "sandbox",
        runner: sandboxRunner(prepared.backend, prepared.spec),
        workspaceDir: root,
        toRunnerPath: (p) =>
          isWithin(root, p) ? path.posix.join(SANDBOX_WORKDIR, ...path.relative(root, p).split(path.sep)) : p,
        env: scrubbedEnv(this.d.env, SANDBOX_WORKDIR),
        elevated: false,
        limits: execLimits(this.d.config, prepared.settings),
      };
    }
    if (host === "sandbox" && !sandboxed)
      throw new HoldfastError("HF_TOOL_FAILED", "exec host=sandbox requires a sandbox runtime for this session.");
    const bwrap = await (this.bwrap ??= this.findMaskTool());
    return {
      where: "host",
      runner: bwrap ? maskedHostRunner(bwrap, this.d.stateDir, ctx.workspaceDir) : hostRunner,
      workspaceDir: ctx.workspaceDir,
      toRunnerPath: (p) => p,
      env: scrubbedEnv(this.d.env, ctx.workspaceDir),
      elevated,
      limits: execLimits(this.d.config),
    };
  }

  /** bwrap, when it exists and can mask the state dir here (probed once with `/bin/true`). */
  private async findMaskTool(): Promise<string | undefined> {
    const p = await findSystemBinary("bwrap");
    const probe = p
      ? await maskedHostRunner(p, this.d.stateDir, "/").run({
          argv: ["/bin/true"],
          cwd: "/",
          env: { PATH: "/usr/bin:/bin" },
          timeoutMs: 10_000,
          maxOutputBytes: 4096,
          signal: new AbortController().signal,
        })
      : undefined;
    if (probe?.exitCode === 0) return p;
    this.d.log.warn(
      "bubblewrap is not usable here: host exec cannot hide the state dir from commands (install bubblewrap / enable user namespaces)",
    );
    return undefined;
  }
}

function isWithin(root: string, p: string): boolean {
  const rel = path.relative(root, p);
  return rel === "" || (!rel.startsWith("..") && !path.isAbsolute(rel));
}
