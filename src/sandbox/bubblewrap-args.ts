import path from "node:path";
import { HoldfastError } from "../errors/index.js";
import { SANDBOX_AGENT_DIR, SANDBOX_WORKDIR, type SandboxCommand, type SandboxSpec } from "./types.js";

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
  /** /etc entries the host jail adds (users and groups, host name, ssh client config; never secrets). */
  readonly hostEtc: readonly string[];
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
  /** Leave out the prlimit prefix: `command` is the jail agent, which applies the limits to each command it starts. */
  readonly limitsPerCommand?: boolean;
}

/** Where the outer (root) namespace stages the workspace so the unprivileged user can bind it (direct children of a fresh 755 tmpfs). */
const STAGE = "/tmp/holdfast-stage-";

/**
 * Joins the session cgroup: writes its own pid to every `cgroup.procs` given before `--`, then execs
 * the rest. Run by /bin/sh with the files and the command as positional arguments (never as text).
 */
const JOIN_CGROUP = 'while [ "$1" != -- ]; do echo $$ > "$1" || exit 125; shift; done; shift; exec "$@"';

/**
 * Builds the argv that runs `command` in a bubblewrap sandbox:
 * `prlimit` (RLIMIT_NPROC/DATA/CPU/FSIZE/CORE; left out with `limitsPerCommand`, when `command` is
 * the jail agent that applies them to each command it starts) → [root only: an outer bwrap holding only the
 * system dirs, host /proc and /dev, and the workspace staged where the sandbox user can reach it
 * (the state dir is never mounted), in its own pid namespace so every exited sandbox
 * process is reaped there (exited processes still count against the process limit until reaped),
 * then `setpriv` drops to that user] → the sandbox
 * bwrap: new user/pid/net/ipc/uts/cgroup namespaces, no capabilities, no nested user namespaces,
 * read-only system dirs, private /tmp and /dev, fresh /proc, only the workspace mounted (and the
 * agent workspace read-only at /agent for `ro`), `--die-with-parent`, `--new-session`, cleared env.
 * The state dir and home are never mounted. Read-only mounts (media, the file helper) follow the
 * workspace. With a session cgroup the command first joins it (`/bin/sh` writes its pid to each
 * `cgroup.procs`, then execs the rest), so all its processes count against the session's aggregate
 * limits; a `pids` cgroup replaces the per-user process limit. The `host` profile (the host jail of
 * an unsandboxed session) keeps the host's hostname and adds /etc identity files; everything else is
 * the same: own pid and ipc namespaces with a fresh /proc (the gateway's /proc/<pid> is not there),
 * no capabilities, no new privileges (bwrap always sets no_new_privs).
 * Source: issue "Sandbox", seeds "Sandboxing & Isolation"; issue "Containment" (host jail).
 */
export function bubblewrapCommand(spec: SandboxSpec, run: SandboxCommand, host: BwrapHost): string[] {
  const { bins, layout } = host;
  const join = spec.cgroup ? ["/bin/sh", "-c", JOIN_CGROUP, "holdfast-join", ...spec.cgroup.procs, "--"] : [];
  const limits = [...join, ...(host.limitsPerCommand ? [] : limitArgs(spec, bins.prlimit))];
  const switchUser = host.uid === 0 && spec.user.uid !== 0;
  const sources: Sources = {
    workspace: switchUser ? `${STAGE}workspace` : spec.workspaceDir,
    ...(spec.agentWorkspaceDir !== undefined ? { agent: switchUser ? `${STAGE}agent` : spec.agentWorkspaceDir } : {}),
    readOnly: (spec.readOnlyMounts ?? []).map((m, i) => ({ ...m, source: switchUser ? `${STAGE}ro-${i}` : m.source })),
  };
  const inner = [bins.bwrap, ...sandboxArgs(spec, layout, sources, run), "--", ...run.command];
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
  (spec.readOnlyMounts ?? []).forEach((m, i) => stage.push("--ro-bind", m.source, `${STAGE}ro-${i}`));
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

/**
 * The `prlimit` prefix of one command: RLIMIT_NPROC (only without a `pids` cgroup), DATA, CPU,
 * FSIZE, and no core dumps. In a long-lived jail (the jail agent) each command gets it inside.
 */
export function limitArgs(spec: SandboxSpec, prlimit: string): string[] {
  const l = spec.limits;
  const cgroupPids = spec.cgroup?.controllers.includes("pids") === true;
  return [
    prlimit,
    ...(cgroupPids ? [] : [`--nproc=${l.pids}`]),
    `--data=${l.memoryMb * 1024 * 1024}`,
    `--cpu=${l.cpuSeconds}`,
    `--fsize=${l.fileSizeMb * 1024 * 1024}`,
    "--core=0",
    "--",
  ];
}

/** Read-only system dirs, their top-level symlinks, and the /etc entries programs need. */
function systemBinds(spec: SandboxSpec, layout: HostLayout): string[] {
  const a: string[] = ["--perms", "0755", "--dir", "/etc"];
  for (const d of layout.dirs) a.push("--ro-bind", d, d);
  for (const [at, target] of layout.links) a.push("--symlink", target, at);
  const etc = [
    ...layout.etc,
    ...(spec.network === "host" ? layout.netEtc : []),
    ...(spec.profile === "host" ? layout.hostEtc : []),
  ];
  // bwrap creates missing parents mode 700: nested /etc entries (/etc/ssh/...) get 755 parents first,
  // or an unprivileged sandbox user could not reach them.
  for (const d of new Set(etc.map((e) => path.posix.dirname(e)).filter((d) => d !== "/etc")))
    a.push("--perms", "0755", "--dir", d);
  for (const e of etc) a.push("--ro-bind-try", e, e);
  return a;
}

/** Host paths the sandbox bwrap binds from (staged copies when the outer namespace switches user). */
interface Sources {
  readonly workspace: string;
  readonly agent?: string;
  readonly readOnly: readonly { readonly source: string; readonly at: string }[];
}

function sandboxArgs(spec: SandboxSpec, layout: HostLayout, src: Sources, { cwd, env }: SandboxCommand): string[] {
  const host = spec.profile === "host";
  const a: string[] = [
    "--unshare-user",
    "--uid",
    String(spec.user.uid),
    "--gid",
    String(spec.user.gid),
    "--unshare-pid",
    "--unshare-ipc",
    ...(host ? [] : ["--unshare-uts"]),
    "--unshare-cgroup-try",
    ...(spec.network === "none" ? ["--unshare-net"] : []),
    "--die-with-parent",
    "--new-session",
    "--cap-drop",
    "ALL",
    "--disable-userns",
    ...(host ? [] : ["--hostname", "holdfast-sandbox"]),
  ];
  a.push(...systemBinds(spec, layout));
  a.push("--proc", "/proc", "--dev", "/dev", "--tmpfs", "/tmp", "--tmpfs", "/var/tmp", "--tmpfs", "/run");
  a.push("--bind", src.workspace, spec.workspaceAt ?? SANDBOX_WORKDIR);
  if (src.agent !== undefined) a.push("--ro-bind", src.agent, SANDBOX_AGENT_DIR);
  for (const m of src.readOnly) a.push("--ro-bind", m.source, m.at);
  a.push("--chdir", cwd, "--clearenv");
  for (const [k, v] of Object.entries(env)) a.push("--setenv", k, v);
  return a;
}
