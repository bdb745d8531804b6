import { createHash } from "node:crypto";
import { constants as fsc, promises as fsp } from "node:fs";
import path from "node:path";
import {
  LIMIT_CONTROLLERS,
  parseCgroupLayout,
  unifiedMount,
  type CgroupLayout,
  type LimitController,
} from "./cgroup-layout.js";

/** A session's aggregate limits: every process of every tool call of the session counts together. */
export interface AggregateLimits {
  /** Memory of the whole session (RAM; swap is not allowed on top), MiB. */
  readonly memoryMb?: number;
  /** Processes and threads of the whole session. */
  readonly pids?: number;
  /** CPU bandwidth of the whole session, in cores (0.5 = half a core). */
  readonly cpus?: number;
}

/** What a process must write its pid to (each file) to enter the session's cgroup. */
export interface CgroupJoin {
  readonly procs: readonly string[];
}

/** Per-session cgroups of one gateway. */
export interface SessionCgroups {
  readonly kind: "v2" | "v1";
  /** Controllers that work here; a limit whose controller is missing cannot be enforced. */
  readonly controllers: ReadonlySet<LimitController>;
  /** Creates (or updates) the session's cgroup with `limits` and returns how to join it. */
  prepare(sessionKey: string, limits: AggregateLimits): Promise<CgroupJoin>;
  /** OOM kills so far in the session's cgroup (0 when it does not exist). */
  oomKills(sessionKey: string): Promise<number>;
  /** Kills every process of the session's cgroup and removes it. Never throws. */
  remove(sessionKey: string): Promise<void>;
  /** Removes every cgroup of this gateway (shutdown). Never throws. */
  close(): Promise<void>;
}

/** Whether per-session cgroups can be made here; `reason` says why not, and what would fix it. */
export type CgroupAvailability =
  { readonly ok: true; readonly cgroups: SessionCgroups } | { readonly ok: false; readonly reason: string };

/** Where to look (tests point these at a fake cgroup tree). */
export interface CgroupProbeOptions {
  /** `/proc/self/mountinfo` content. */
  readonly mountinfo?: string;
  /** `/proc/self/cgroup` content. */
  readonly selfCgroup?: string;
  /** Directory name of this gateway's cgroup (default `holdfast-<pid>`). */
  readonly name?: string;
  /** Whether the gateway runs as root (default: uid 0). */
  readonly root?: boolean;
  /** This process's pid (moved into a leaf under delegation). */
  readonly pid?: number;
}

/** How to get a delegated cgroup as an unprivileged user. */
export const DELEGATION_HINT =
  "run the gateway as root, or in a cgroup delegated to its user (systemd: `systemd-run --user --scope -p Delegate=yes npx holdfast gateway`, or Delegate=yes in its unit)";

/** What {@link probeSessionCgroups} finds: the controllers session cgroups would have, or why there are none. */
export type CgroupProbe =
  | { readonly ok: true; readonly kind: "v2" | "v1"; readonly controllers: ReadonlySet<LimitController> }
  | { readonly ok: false; readonly reason: string };

/**
 * Whether this process could make per-session cgroups, without creating or moving anything
 * (`security audit`, `doctor`): the layout, the controllers, and write access where they would go.
 */
export async function probeSessionCgroups(opts: CgroupProbeOptions = {}): Promise<CgroupProbe> {
  const layout = await readLayout(opts);
  if (!layout) return { ok: false, reason: "no cgroup file system is mounted" };
  const root = opts.root ?? process.getuid?.() === 0;
  if (layout.kind === "v2") {
    const top = root ? layout.mount : layout.own;
    if (!(await writable(path.join(top, "cgroup.subtree_control"))))
      return { ok: false, reason: `the gateway's cgroup ${top} is not delegated to it; ${DELEGATION_HINT}` };
    const controllers = new Set((await readControllers(top)).filter(isLimitController));
    if (controllers.size === 0)
      return { ok: false, reason: `cgroup ${top} offers none of the memory, pids, cpu controllers` };
    return { ok: true, kind: "v2", controllers };
  }
  const controllers = new Set<LimitController>();
  for (const c of LIMIT_CONTROLLERS) {
    const own = layout.own[c];
    if (own && (await writable(own))) controllers.add(c);
  }
  if (controllers.size === 0) return { ok: false, reason: `cannot create a cgroup here; ${DELEGATION_HINT}` };
  return { ok: true, kind: "v1", controllers };
}

/**
 * Opens this gateway's per-session cgroups. cgroup v2 as root: `<mount>/holdfast/<name>/s-<hash>`
 * (controllers enabled down the path); v2 unprivileged: under the process's own cgroup when it is
 * delegated (the gateway moves itself into a leaf `<own>/gateway` first, as the v2 "no internal
 * processes" rule requires); v1: `<hierarchy>/<own>/<name>/s-<hash>` in the memory, pids and cpu
 * hierarchies. Stale cgroups of gateways that are gone are removed.
 */
export async function openSessionCgroups(opts: CgroupProbeOptions = {}): Promise<CgroupAvailability> {
  const layout = await readLayout(opts);
  if (!layout) return { ok: false, reason: "no cgroup file system is mounted" };
  const name = opts.name ?? `holdfast-${process.pid}`;
  const root = opts.root ?? process.getuid?.() === 0;
  try {
    return layout.kind === "v2"
      ? await openUnified(layout, name, root, opts.pid ?? process.pid)
      : await openLegacy(layout, name);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
    return { ok: false, reason: `cannot create a cgroup here (${code}); ${DELEGATION_HINT}` };
  }
}

/** This process's cgroup layout, from /proc (or the options' stand-ins). */
async function readLayout(opts: CgroupProbeOptions): Promise<CgroupLayout | undefined> {
  const mountinfo = opts.mountinfo ?? (await fsp.readFile("/proc/self/mountinfo", "utf8").catch(() => ""));
  const selfCgroup = opts.selfCgroup ?? (await fsp.readFile("/proc/self/cgroup", "utf8").catch(() => ""));
  const unified = unifiedMount(mountinfo);
  return parseCgroupLayout(mountinfo, selfCgroup, unified ? await readControllers(unified) : []);
}

async function readControllers(dir: string): Promise<string[]> {
  const text = await fsp.readFile(path.join(dir, "cgroup.controllers"), "utf8").catch(() => "");
  return text.trim().split(/\s+/).filter(Boolean);
}

async function openUnified(
  layout: Extract<CgroupLayout, { kind: "v2" }>,
  name: string,
  root: boolean,
  pid: number,
): Promise<CgroupAvailability> {
  const top = root ? layout.mount : layout.own;
  if (!root && !(await writable(path.join(top, "cgroup.subtree_control"))))
    return { ok: false, reason: `the gateway's cgroup ${top} is not delegated to it; ${DELEGATION_HINT}` };
  const available = new Set((await readControllers(top)).filter(isLimitController));
  if (available.size === 0)
    return { ok: false, reason: `cgroup ${top} offers none of the memory, pids, cpu controllers` };
  if (!root) await moveIntoLeaf(top, pid);
  await enable(top, available);
  const parent = root ? path.join(top, "holdfast") : top;
  if (root) {
    await mkdirIfMissing(parent);
    await enable(parent, available);
  }
  await removeStale(parent);
  const base = path.join(parent, name);
  await mkdirIfMissing(base);
  await enable(base, available);
  return { ok: true, cgroups: new UnifiedCgroups(base, available) };
}

async function openLegacy(layout: Extract<CgroupLayout, { kind: "v1" }>, name: string): Promise<CgroupAvailability> {
  const bases: Partial<Record<LimitController, string>> = {};
  for (const c of LIMIT_CONTROLLERS) {
    const own = layout.own[c];
    if (!own) continue;
    await removeStale(own);
    const base = path.join(own, name);
    await mkdirIfMissing(base);
    bases[c] = base;
  }
  if (Object.keys(bases).length === 0) return { ok: false, reason: "no memory, pids or cpu cgroup v1 hierarchy" };
  return { ok: true, cgroups: new LegacyCgroups(bases) };
}

function isLimitController(c: string): c is LimitController {
  return (LIMIT_CONTROLLERS as readonly string[]).includes(c);
}

/** Enables `which` for the children of `dir` (v2 `cgroup.subtree_control`); already enabled is fine. */
async function enable(dir: string, which: ReadonlySet<LimitController>): Promise<void> {
  await fsp.writeFile(path.join(dir, "cgroup.subtree_control"), [...which].map((c) => `+${c}`).join(" "));
}

/** Moves every process of a delegated cgroup into its leaf `gateway`, so controllers can be enabled for children. */
async function moveIntoLeaf(own: string, pid: number): Promise<void> {
  const leaf = path.join(own, "gateway");
  await mkdirIfMissing(leaf);
  const pids = (await fsp.readFile(path.join(own, "cgroup.procs"), "utf8")).split("\n").filter(Boolean);
  for (const p of new Set([...pids, String(pid)]))
    await fsp.writeFile(path.join(leaf, "cgroup.procs"), p).catch(() => undefined);
}

async function mkdirIfMissing(dir: string): Promise<void> {
  await fsp.mkdir(dir).catch((err: NodeJS.ErrnoException) => {
    if (err.code !== "EEXIST") throw err;
  });
}

async function writable(file: string): Promise<boolean> {
  return fsp.access(file, fsc.W_OK).then(
    () => true,
    () => false,
  );
}

/** Removes `holdfast-<pid>` cgroups under `parent` whose gateway is no longer running. */
async function removeStale(parent: string): Promise<void> {
  for (const d of await fsp.readdir(parent).catch(() => [] as string[])) {
    const m = /^holdfast-(\d+)$/.exec(d);
    if (!m || isAlive(Number(m[1]))) continue;
    await removeTree(path.join(parent, d));
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** Kills the processes of a cgroup tree and removes it, leaves first. Never throws. */
async function removeTree(dir: string): Promise<void> {
  const entries = await fsp.readdir(dir, { withFileTypes: true }).catch(() => []);
  for (const e of entries) if (e.isDirectory()) await removeTree(path.join(dir, e.name));
  await killAll(dir);
  for (let i = 0; i < 20; i++) {
    const done = await fsp.rmdir(dir).then(
      () => true,
      (err: NodeJS.ErrnoException) => err.code === "ENOENT",
    );
    if (done) return;
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** SIGKILLs every process listed in a cgroup (v2 `cgroup.kill` when the kernel has it). */
async function killAll(dir: string): Promise<void> {
  if (
    await fsp.writeFile(path.join(dir, "cgroup.kill"), "1", { flag: "r+" }).then(
      () => true,
      () => false,
    )
  )
    return;
  const pids = (await fsp.readFile(path.join(dir, "cgroup.procs"), "utf8").catch(() => "")).split("\n");
  for (const p of pids.filter(Boolean)) {
    try {
      process.kill(Number(p), "SIGKILL");
    } catch {
      // already gone
    }
  }
}

/** The directory name of a session's cgroup. */
export function sessionCgroupName(sessionKey: string): string {
  return `s-${createHash("sha256").update(sessionKey).digest("hex").slice(0, 16)}`;
}

async function writeLimit(dir: string, file: string, value: string): Promise<void> {
  await fsp.writeFile(path.join(dir, file), value);
}

const PERIOD_US = 100_000;

class UnifiedCgroups implements SessionCgroups {
  readonly kind = "v2" as const;
  constructor(
    private readonly base: string,
    readonly controllers: ReadonlySet<LimitController>,
  ) {}

  async prepare(sessionKey: string, limits: AggregateLimits): Promise<CgroupJoin> {
    const dir = path.join(this.base, sessionCgroupName(sessionKey));
    await mkdirIfMissing(dir);
    if (limits.memoryMb !== undefined && this.controllers.has("memory")) {
      await writeLimit(dir, "memory.max", String(limits.memoryMb * 1024 * 1024));
      await writeLimit(dir, "memory.swap.max", "0").catch(() => undefined);
    }
    if (limits.pids !== undefined && this.controllers.has("pids"))
      await writeLimit(dir, "pids.max", String(limits.pids));
    if (limits.cpus !== undefined && this.controllers.has("cpu"))
      await writeLimit(dir, "cpu.max", `${Math.max(1000, Math.round(limits.cpus * PERIOD_US))} ${PERIOD_US}`);
    return { procs: [path.join(dir, "cgroup.procs")] };
  }

  async oomKills(sessionKey: string): Promise<number> {
    const text = await fsp
      .readFile(path.join(this.base, sessionCgroupName(sessionKey), "memory.events"), "utf8")
      .catch(() => "");
    return Number(/^oom_kill (\d+)/m.exec(text)?.[1] ?? 0);
  }

  remove(sessionKey: string): Promise<void> {
    return removeTree(path.join(this.base, sessionCgroupName(sessionKey)));
  }

  close(): Promise<void> {
    return removeTree(this.base);
  }
}

class LegacyCgroups implements SessionCgroups {
  readonly kind = "v1" as const;
  readonly controllers: ReadonlySet<LimitController>;
  constructor(private readonly bases: Readonly<Partial<Record<LimitController, string>>>) {
    this.controllers = new Set(LIMIT_CONTROLLERS.filter((c) => bases[c] !== undefined));
  }

  async prepare(sessionKey: string, limits: AggregateLimits): Promise<CgroupJoin> {
    const name = sessionCgroupName(sessionKey);
    const dirs: string[] = [];
    for (const c of LIMIT_CONTROLLERS) {
      const base = this.bases[c];
      if (!base) continue;
      const dir = path.join(base, name);
      await mkdirIfMissing(dir);
      dirs.push(dir);
      if (c === "memory" && limits.memoryMb !== undefined) {
        const bytes = String(limits.memoryMb * 1024 * 1024);
        // memsw must stay >= the memory limit: lower memory first when shrinking, raise memsw first when growing.
        await writeLimit(dir, "memory.limit_in_bytes", bytes).catch(() => undefined);
        await writeLimit(dir, "memory.memsw.limit_in_bytes", bytes).catch(() => undefined);
        await writeLimit(dir, "memory.limit_in_bytes", bytes);
      }
      if (c === "pids" && limits.pids !== undefined) await writeLimit(dir, "pids.max", String(limits.pids));
      if (c === "cpu" && limits.cpus !== undefined) {
        await writeLimit(dir, "cpu.cfs_period_us", String(PERIOD_US));
        await writeLimit(dir, "cpu.cfs_quota_us", String(Math.max(1000, Math.round(limits.cpus * PERIOD_US))));
      }
    }
    return { procs: dirs.map((d) => path.join(d, "cgroup.procs")) };
  }

  async oomKills(sessionKey: string): Promise<number> {
    const base = this.bases.memory;
    if (!base) return 0;
    const text = await fsp
      .readFile(path.join(base, sessionCgroupName(sessionKey), "memory.oom_control"), "utf8")
      .catch(() => "");
    return Number(/^oom_kill (\d+)/m.exec(text)?.[1] ?? 0);
  }

  async remove(sessionKey: string): Promise<void> {
    const name = sessionCgroupName(sessionKey);
    for (const base of Object.values(this.bases)) await removeTree(path.join(base, name));
  }

  async close(): Promise<void> {
    for (const base of Object.values(this.bases)) await removeTree(base);
  }
}
