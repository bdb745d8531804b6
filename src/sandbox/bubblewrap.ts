import { constants as fsc, promises as fsp } from "node:fs";
import os from "node:os";
import path from "node:path";
import { HoldfastError } from "../errors/index.js";
import { JailAgent } from "./agent/client.js";
import { bubblewrapCommand, limitArgs, type BwrapBinaries, type HostLayout } from "./bubblewrap-args.js";
import {
  AGENT_IN_JAIL,
  checkFileOpsResponse,
  HELPER_TIMEOUT_MS,
  helperMounts,
  NODE_IN_JAIL,
} from "./fileops/client.js";
import { FILEOPS_VERSION, type FileOpResult, type FileOpsRequest } from "./fileops/protocol.js";
import { JAIL_PATH } from "./host-jail.js";
import { spawnCapture } from "./host-runner.js";
import { bubblewrapInstallHint, USERNS_HINT } from "./install-hint.js";
import {
  SANDBOX_WORKDIR,
  type Availability,
  type ExecRequest,
  type ExecResult,
  type SandboxBackend,
  type SandboxSpec,
} from "./types.js";

const SEARCH_DIRS = ["/usr/bin", "/bin", "/usr/sbin", "/sbin", "/usr/local/bin"];

/** Finds an executable by name in the usual system directories (never the caller's PATH). */
export async function findSystemBinary(name: string): Promise<string | undefined> {
  for (const dir of SEARCH_DIRS) {
    const p = path.join(dir, name);
    try {
      await fsp.access(p, fsc.X_OK);
      return p;
    } catch {
      // next
    }
  }
  return undefined;
}

/** Reads which top-level system paths are real directories and which are symlinks (merged /usr). */
export async function detectHostLayout(): Promise<HostLayout> {
  const dirs = ["/usr"];
  const links: [string, string][] = [];
  for (const p of ["/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32"]) {
    const st = await fsp.lstat(p).catch(() => undefined);
    if (st?.isSymbolicLink()) links.push([p, await fsp.readlink(p)]);
    else if (st?.isDirectory()) dirs.push(p);
  }
  return {
    dirs,
    links,
    etc: [
      "/etc/alternatives",
      "/etc/ld.so.cache",
      "/etc/ld.so.conf",
      "/etc/ld.so.conf.d",
      "/etc/localtime",
      "/etc/nsswitch.conf",
    ],
    netEtc: ["/etc/resolv.conf", "/etc/hosts", "/etc/host.conf", "/etc/gai.conf", "/etc/ssl", "/etc/ca-certificates"],
    hostEtc: [
      "/etc/passwd",
      "/etc/group",
      "/etc/hostname",
      "/etc/os-release",
      "/etc/mime.types",
      "/etc/protocols",
      "/etc/services",
      "/etc/timezone",
      "/etc/ssh/ssh_config",
      "/etc/ssh/ssh_config.d",
      "/etc/ssh/ssh_known_hosts",
      "/etc/gitconfig",
      "/etc/inputrc",
    ],
  };
}

/**
 * The bubblewrap backend (Linux). Needs `bwrap` and `prlimit` (util-linux); when the gateway runs as
 * root it also needs `setpriv` to run the sandbox as the unprivileged owner of the workspace (so the
 * process limit applies: the kernel never limits processes of uid 0). Availability is probed once by
 * running `/bin/true` in a sandbox of its own and re-probed after a failure (at most every 30 s).
 * Commands and file operations run through one jail agent per spec (session): see {@link run}.
 */
export class BubblewrapBackend implements SandboxBackend {
  readonly kind = "bubblewrap" as const;
  private setup: Promise<{ bins: BwrapBinaries; layout: HostLayout } | string> | undefined;
  private probe: { at: number; result: Availability } | undefined;
  private probing: Promise<Availability> | undefined;
  private procCount: { at: number; uid: number; n: number } | undefined;
  private readonly agents = new Map<string, JailAgent>();

  constructor(
    private readonly opts: {
      readonly probeDir?: string;
      readonly now?: () => number;
      readonly agentIdleMs?: number;
    } = {},
  ) {}

  /** Whether a jail can run here; callers at the same time share one probe. */
  async availability(): Promise<Availability> {
    const now = (this.opts.now ?? Date.now)();
    if (this.probe && (this.probe.result.ok || now - this.probe.at < 30_000)) return this.probe.result;
    this.probing ??= this.runProbe().then((result) => {
      this.probe = { at: now, result };
      return result;
    });
    try {
      return await this.probing;
    } finally {
      this.probing = undefined;
    }
  }

  /**
   * Runs a command in the spec's jail. Commands of one spec share one long-lived jail with the jail
   * agent in it (started on first use, stopped when idle), so a command costs a fork in the jail
   * rather than a new jail; each command still gets its own limits (prlimit) and process group.
   */
  async run(spec: SandboxSpec, req: ExecRequest): Promise<ExecResult> {
    const s = await this.setupOrThrow();
    const agent = await this.agentFor(spec, s);
    return agent.run(req, limitArgs({ ...spec, limits: await this.commandLimits(spec) }, s.bins.prlimit));
  }

  /** File operations inside the spec's jail, by its jail agent. */
  async files(spec: SandboxSpec, request: Omit<FileOpsRequest, "v">, _signal: AbortSignal): Promise<FileOpResult[]> {
    const s = await this.setupOrThrow();
    const agent = await this.agentFor(spec, s);
    const response = await agent.files({ v: FILEOPS_VERSION, ...request }, HELPER_TIMEOUT_MS);
    return checkFileOpsResponse(response, request.ops.length);
  }

  /** Stops the jail agents whose jail mounts `workspaceDir`, and waits until they are gone. */
  async stopWorkspace(workspaceDir: string): Promise<void> {
    const hit = [...this.agents.entries()].filter(
      ([key]) => (JSON.parse(key) as SandboxSpec).workspaceDir === workspaceDir,
    );
    await Promise.all(hit.map(([key, a]) => (this.agents.delete(key), a.stopAndWait())));
  }

  /** Stops every jail agent. */
  async close(): Promise<void> {
    for (const a of this.agents.values()) a.stop();
    this.agents.clear();
  }

  /** One command in a fresh jail of its own (the availability probe). */
  private async runOnce(spec: SandboxSpec, req: ExecRequest): Promise<ExecResult> {
    const s = await this.setupOrThrow();
    const command = req.argv ? [...req.argv] : ["/bin/sh", "-c", req.shellCommand ?? ""];
    const uid = process.getuid?.() ?? 0;
    const limited = { ...spec, limits: await this.commandLimits(spec) };
    const argv = bubblewrapCommand(
      limited,
      { command, cwd: req.cwd, env: req.env },
      { bins: s.bins, layout: s.layout, uid },
    );
    return spawnCapture(argv, { ...req, cwd: "/", env: { PATH: "/usr/bin:/bin" } });
  }

  private async setupOrThrow(): Promise<{ bins: BwrapBinaries; layout: HostLayout }> {
    const s = await this.resolveSetup();
    if (typeof s === "string") throw new HoldfastError("HF_SANDBOX_UNAVAILABLE", s);
    return s;
  }

  /** The spec's limits with the process limit counted on top of the user's tasks (without a pids cgroup). */
  private async commandLimits(spec: SandboxSpec): Promise<SandboxSpec["limits"]> {
    const perUserPids = spec.user.uid !== 0 && spec.cgroup?.controllers.includes("pids") !== true;
    return perUserPids ? { ...spec.limits, pids: spec.limits.pids + (await this.tasksOf(spec.user.uid)) } : spec.limits;
  }

  /** The running jail agent of a spec (started when missing or ended). */
  private async agentFor(spec: SandboxSpec, s: { bins: BwrapBinaries; layout: HostLayout }): Promise<JailAgent> {
    const key = JSON.stringify(spec);
    const running = this.agents.get(key);
    if (running?.alive) return running;
    const withAgent: SandboxSpec = {
      ...spec,
      readOnlyMounts: [...(spec.readOnlyMounts ?? []), ...helperMounts("agent")],
    };
    const argv = bubblewrapCommand(
      withAgent,
      {
        command: [NODE_IN_JAIL, AGENT_IN_JAIL],
        cwd: spec.workspaceAt ?? SANDBOX_WORKDIR,
        env: { PATH: JAIL_PATH, LANG: "C.UTF-8" },
      },
      { bins: s.bins, layout: s.layout, uid: process.getuid?.() ?? 0, limitsPerCommand: true },
    );
    const agent = new JailAgent(argv, {
      ...(this.opts.agentIdleMs !== undefined ? { idleMs: this.opts.agentIdleMs } : {}),
      onEnd: () => {
        if (this.agents.get(key) === agent) this.agents.delete(key);
      },
    });
    this.agents.set(key, agent);
    return agent;
  }

  /**
   * Tasks (threads) the sandbox user already runs: the kernel's process limit counts all tasks of
   * that uid (other sandboxes, the gateway itself when it is not root, daemons running as nobody), so
   * a sandbox gets `pids` on top of them (counted from /proc, cached for 5 s; approximate).
   */
  private async tasksOf(uid: number): Promise<number> {
    const now = (this.opts.now ?? Date.now)();
    if (this.procCount?.uid === uid && now - this.procCount.at < 5_000) return this.procCount.n;
    let n = 0;
    for (const pid of (await fsp.readdir("/proc").catch(() => [] as string[])).filter((p) => /^\d+$/.test(p))) {
      const status = await fsp.readFile(`/proc/${pid}/status`, "utf8").catch(() => "");
      if (new RegExp(`^Uid:\\s+${uid}\\s`, "m").test(status)) n += Number(/^Threads:\s+(\d+)/m.exec(status)?.[1] ?? 1);
    }
    this.procCount = { at: now, uid, n };
    return n;
  }

  private resolveSetup(): Promise<{ bins: BwrapBinaries; layout: HostLayout } | string> {
    this.setup ??= (async () => {
      if (process.platform !== "linux") return bubblewrapInstallHint();
      const [bwrap, prlimit, setpriv] = await Promise.all([
        findSystemBinary("bwrap"),
        findSystemBinary("prlimit"),
        findSystemBinary("setpriv"),
      ]);
      if (!bwrap) return `bwrap is not installed (${bubblewrapInstallHint()})`;
      if (!prlimit) return "prlimit is not installed (util-linux)";
      if (process.getuid?.() === 0 && !setpriv)
        return "setpriv is not installed (util-linux); it is needed to run the sandbox unprivileged";
      return { bins: { bwrap, prlimit, ...(setpriv ? { setpriv } : {}) }, layout: await detectHostLayout() };
    })();
    return this.setup;
  }

  private async runProbe(): Promise<Availability> {
    const s = await this.resolveSetup();
    if (typeof s === "string") return { ok: false, reason: s };
    const dir = await fsp.mkdtemp(path.join(this.opts.probeDir ?? os.tmpdir(), "holdfast-bwrap-probe-"));
    try {
      const isRoot = process.getuid?.() === 0;
      if (isRoot) await fsp.chown(dir, 65534, 65534);
      const spec: SandboxSpec = {
        scopeKey: "probe",
        workspaceDir: dir,
        network: "none",
        limits: { memoryMb: 256, pids: 64, cpuSeconds: 10, fileSizeMb: 1 },
        user: isRoot ? { uid: 65534, gid: 65534 } : { uid: process.getuid?.() ?? 0, gid: process.getgid?.() ?? 0 },
      };
      const r = await this.runOnce(spec, {
        argv: ["/bin/true"],
        cwd: "/workspace",
        env: { PATH: "/usr/bin:/bin" },
        timeoutMs: 10_000,
        maxOutputBytes: 4096,
        signal: new AbortController().signal,
      });
      if (r.exitCode === 0) return { ok: true };
      return {
        ok: false,
        reason: `bubblewrap cannot create a sandbox here (${(r.stderr.trim().split("\n")[0] ?? "").slice(0, 200) || `exit ${r.exitCode}`}); ${USERNS_HINT}`,
      };
    } finally {
      await fsp.rm(dir, { recursive: true, force: true });
    }
  }
}
