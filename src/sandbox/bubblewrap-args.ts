import { SANDBOX_AGENT_DIR, SANDBOX_WORKDIR, type SandboxCommand, type SandboxSpec } from "./types.js";
import { HoldfastError } from "../errors/index.js";

/** The host's system directories as the sandbox re-creates them (read-only). */
export interface HostLayout {
  /** Top-level symlinks to re-create (`/bin` → `usr/bin` on merged-/usr systems). */
  readonly links: readonly (readonly [string, string])[];
  /** Directories bound read-only (`/usr`, and `/bin`, `/lib*` where they are real directories). */
  readonly dirs: readonly string[];
  /** Files and directories of /etc the programs need (linker cache, alternatives, time zone). */
  readonly etc: readonly string[];
  /** /etc entries bound only when the sandbox has network (resolver, CA certificates). */
  readonly netEtc: readonly string[];
}

/** Binaries the backend runs on the host. `setpriv` is needed only when the gateway runs as root. */
export interface BwrapBinaries {
  readonly bwrap: string;
  readonly prlimit: string;
  readonly setpriv?: string;
}

/** The host side: its binaries, its system layout and the gateway's own uid (root stages and drops to the sandbox user). */
export interface BwrapHost {
  readonly bins: BwrapBinaries;
  readonly layout: HostLayout;
  readonly uid: number;
}

/** Where the outer (root) namespace stages the workspace so the unprivileged user can bind it (direct children of a fresh 755 tmpfs). */
const STAGE = "/tmp/holdfast-stage-";

/**
 * Builds the argv that runs `command` in a bubblewrap sandbox:
 * `prlimit` (RLIMIT_NPROC/DATA/CPU/FSIZE/CORE) → [root only: an outer bwrap holding only the
 * system dirs, host /proc and /dev, and the workspace staged where the sandbox user can reach it
 * (the state dir is never mounted), in its own pid namespace so every exited sandbox
 * process is reaped there (exited processes still count against the process limit until reaped),
 * then `setpriv` drops to that user] → the sandbox
 * bwrap: new user/pid/net/ipc/uts/cgroup namespaces, no capabilities, no nested user namespaces,
 * read-only system dirs, private /tmp and /dev, fresh /proc, only the workspace mounted (and the
 * agent workspace read-only at /agent for `ro`), `--die-with-parent`, `--new-session`, cleared env.
 * The state dir and home are never mounted. Source: issue "Sandbox", seeds "Sandboxing & Isolation".
 */
export function bubblewrapCommand(spec: SandboxSpec, run: SandboxCommand, { bins, layout, uid }: BwrapHost): string[] {
  const l = spec.limits;
  const limits = [
    bins.prlimit,
    `--nproc=${l.pids}`,
    `--data=${l.memoryMb * 1024 * 1024}`,
    `--cpu=${l.cpuSeconds}`,
    `--fsize=${l.fileSizeMb * 1024 * 1024}`,
    "--core=0",
    "--",
  ];
  const switchUser = uid === 0 && spec.user.uid !== 0;
  const wsSource = switchUser ? `${STAGE}workspace` : spec.workspaceDir;
  const agentSource =
    spec.agentWorkspaceDir !== undefined ? (switchUser ? `${STAGE}agent` : spec.agentWorkspaceDir) : undefined;
  const inner = [bins.bwrap, ...sandboxArgs(spec, layout, { wsSource, agentSource }, run), "--", ...run.command];
  if (!switchUser) return [...limits, ...inner];
  if (!bins.setpriv)
    throw new HoldfastError("HF_SANDBOX_UNAVAILABLE", "setpriv is required to run the sandbox as an unprivileged user");
  const stage = [
    ...systemBinds(spec, layout),
    "--bind",
    "/proc",
    "/proc",
    "--dev-bind",
    "/dev",
    "/dev",
    "--tmpfs",
    "/tmp",
    "--bind",
    spec.workspaceDir,
    `${STAGE}workspace`,
  ];
  if (spec.agentWorkspaceDir !== undefined) stage.push("--ro-bind", spec.agentWorkspaceDir, `${STAGE}agent`);
  const drop = [
    bins.setpriv,
    `--reuid=${spec.user.uid}`,
    `--regid=${spec.user.gid}`,
    "--clear-groups",
    "--inh-caps=-all",
    "--bounding-set=-all",
    "--no-new-privs",
    "--",
  ];
  return [...limits, bins.bwrap, ...stage, "--unshare-pid", "--die-with-parent", "--", ...drop, ...inner];
}

/** Read-only system dirs, their top-level symlinks, and the /etc entries programs need. */
function systemBinds(spec: SandboxSpec, layout: HostLayout): string[] {
  const a: string[] = ["--perms", "0755", "--dir", "/etc"];
  for (const d of layout.dirs) a.push("--ro-bind", d, d);
  for (const [at, target] of layout.links) a.push("--symlink", target, at);
  for (const e of [...layout.etc, ...(spec.network === "host" ? layout.netEtc : [])]) a.push("--ro-bind-try", e, e);
  return a;
}

function sandboxArgs(
  spec: SandboxSpec,
  layout: HostLayout,
  { wsSource, agentSource }: { wsSource: string; agentSource: string | undefined },
  { cwd, env }: SandboxCommand,
): string[] {
  const a: string[] = [
    "--unshare-user",
    "--uid",
    String(spec.user.uid),
    "--gid",
    String(spec.user.gid),
    "--unshare-pid",
    "--unshare-ipc",
    "--unshare-uts",
    "--unshare-cgroup-try",
    ...(spec.network === "none" ? ["--unshare-net"] : []),
    "--die-with-parent",
    "--new-session",
    "--cap-drop",
    "ALL",
    "--disable-userns",
    "--hostname",
    "holdfast-sandbox",
  ];
  a.push(...systemBinds(spec, layout));
  a.push("--proc", "/proc", "--dev", "/dev", "--tmpfs", "/tmp", "--tmpfs", "/var/tmp", "--tmpfs", "/run");
  a.push("--bind", wsSource, SANDBOX_WORKDIR);
  if (agentSource !== undefined) a.push("--ro-bind", agentSource, SANDBOX_AGENT_DIR);
  a.push("--chdir", cwd, "--clearenv");
  for (const [k, v] of Object.entries(env)) a.push("--setenv", k, v);
  return a;
}
