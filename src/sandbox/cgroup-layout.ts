import path from "node:path";

/**
 * Where this process sits in the cgroup hierarchies, read from `/proc/self/mountinfo` and
 * `/proc/self/cgroup` (pure parsing; see cgroups.ts for the file system side). Source: the kernel's
 * Documentation/admin-guide/cgroup-v2.rst ("Delegation") and cgroup-v1 (per-controller hierarchies).
 */

/** The controllers a session's aggregate limits use. */
export type LimitController = "memory" | "pids" | "cpu";
export const LIMIT_CONTROLLERS: readonly LimitController[] = ["memory", "pids", "cpu"];

/** A cgroup v2 (unified) hierarchy: one directory for every controller. */
export interface UnifiedLayout {
  readonly kind: "v2";
  /** Mount point of the unified hierarchy (`/sys/fs/cgroup`). */
  readonly mount: string;
  /** This process's cgroup directory. */
  readonly own: string;
}

/** cgroup v1: one hierarchy per controller (the controllers a v1 mount carries). */
export interface LegacyLayout {
  readonly kind: "v1";
  /** This process's cgroup directory in each controller's hierarchy (absent: not mounted). */
  readonly own: Readonly<Partial<Record<LimitController, string>>>;
}

export type CgroupLayout = UnifiedLayout | LegacyLayout;

interface Mount {
  readonly root: string;
  readonly at: string;
  readonly type: string;
  readonly options: readonly string[];
}

/** Parses the cgroup mounts of `/proc/self/mountinfo` (fields: id parent dev root mountpoint opts ... - type source superopts). */
function cgroupMounts(mountinfo: string): Mount[] {
  const out: Mount[] = [];
  for (const line of mountinfo.split("\n")) {
    const [left, right] = line.split(" - ");
    if (!left || !right) continue;
    const f = left.split(" ");
    const [type = "", , superOpts = ""] = right.split(" ");
    if (type !== "cgroup" && type !== "cgroup2") continue;
    out.push({ root: unescape(f[3] ?? "/"), at: unescape(f[4] ?? ""), type, options: superOpts.split(",") });
  }
  return out;
}

/** mountinfo escapes space, tab, newline and backslash as octal (`\040`). */
function unescape(s: string): string {
  return s.replace(/\\([0-7]{3})/g, (_m, o: string) => String.fromCharCode(parseInt(o, 8)));
}

/** A cgroup path (from /proc/self/cgroup) as a directory under a mount whose root is `mountRoot`. */
function dirUnder(m: Mount, cgroupPath: string): string | undefined {
  const rel = path.posix.relative(m.root, cgroupPath);
  if (rel.startsWith("..")) return undefined;
  return path.join(m.at, rel);
}

/** Mount point of the cgroup v2 hierarchy, if one is mounted. */
export function unifiedMount(mountinfo: string): string | undefined {
  return cgroupMounts(mountinfo).find((m) => m.type === "cgroup2")?.at;
}

/**
 * This process's cgroup layout: v2 when the unified hierarchy carries the memory controller (or
 * when there is no v1 memory hierarchy), else v1 with one directory per limit controller. Undefined
 * when no cgroup file system is mounted.
 */
export function parseCgroupLayout(
  mountinfo: string,
  selfCgroup: string,
  unifiedControllers: readonly string[],
): CgroupLayout | undefined {
  const mounts = cgroupMounts(mountinfo);
  const lines = selfCgroup
    .split("\n")
    .filter(Boolean)
    .map((l) => {
      const [id = "", ctrls = "", ...rest] = l.split(":");
      return { id, ctrls: ctrls.split(",").filter(Boolean), path: rest.join(":") };
    });
  const unified = mounts.find((m) => m.type === "cgroup2");
  const unifiedPath = lines.find((l) => l.id === "0" && l.ctrls.length === 0)?.path;
  const v1 = (c: LimitController) => {
    const m = mounts.find((x) => x.type === "cgroup" && x.options.includes(c));
    const p = lines.find((l) => l.ctrls.includes(c))?.path;
    return m && p !== undefined ? dirUnder(m, p) : undefined;
  };
  if (unified && unifiedPath !== undefined) {
    const own = dirUnder(unified, unifiedPath);
    if (own && (unifiedControllers.includes("memory") || v1("memory") === undefined))
      return { kind: "v2", mount: unified.at, own };
  }
  const own: Partial<Record<LimitController, string>> = {};
  for (const c of LIMIT_CONTROLLERS) {
    const d = v1(c);
    if (d) own[c] = d;
  }
  return Object.keys(own).length > 0 ? { kind: "v1", own } : undefined;
}
