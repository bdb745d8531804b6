import { mkdir, mkdtemp, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";

/** A fake cgroup file system: plain directories and files shaped like the kernel's. */
export interface FakeCgroupFs {
  /** Root of the fake tree (where the hierarchies are "mounted"). */
  readonly root: string;
  /** `/proc/self/mountinfo` lines for the fake mounts. */
  readonly mountinfo: string;
  /** `/proc/self/cgroup` of the "current process". */
  readonly selfCgroup: string;
}

/**
 * A unified (v2) hierarchy at `<root>/unified` whose root offers `controllers`, with the current
 * process in `ownPath` (created with the interface files a delegated cgroup has).
 */
export async function fakeUnifiedCgroupFs(
  controllers: readonly string[],
  ownPath = "/user.slice/holdfast.scope",
): Promise<FakeCgroupFs> {
  const root = await mkdtemp(path.join(os.tmpdir(), "holdfast-fake-cgroup-"));
  const mount = path.join(root, "unified");
  await cgroupDir(mount, controllers);
  let dir = mount;
  for (const part of ownPath.split("/").filter(Boolean)) {
    dir = path.join(dir, part);
    await cgroupDir(dir, controllers);
  }
  await writeFile(path.join(dir, "cgroup.procs"), "4242\n");
  return {
    root,
    mountinfo: `30 22 0:27 / ${mount} rw,nosuid - cgroup2 cgroup2 rw\n`,
    selfCgroup: `0::${ownPath}\n`,
  };
}

/** cgroup v1 hierarchies (`memory`, `pids`, `cpu,cpuacct`) with the current process at `/` in each. */
export async function fakeLegacyCgroupFs(): Promise<FakeCgroupFs> {
  const root = await mkdtemp(path.join(os.tmpdir(), "holdfast-fake-cgroup-v1-"));
  const lines: string[] = [];
  const self: string[] = [];
  let id = 40;
  for (const [name, opts] of [
    ["memory", "memory"],
    ["pids", "pids"],
    ["cpu,cpuacct", "cpu,cpuacct"],
  ] as const) {
    const at = path.join(root, name);
    await mkdir(at, { recursive: true });
    await writeFile(path.join(at, "cgroup.procs"), "");
    lines.push(`${id} 30 0:${id} / ${at} rw - cgroup cgroup rw,${opts}`);
    self.push(`${id - 38}:${opts}:/`);
    id++;
  }
  return { root, mountinfo: `${lines.join("\n")}\n`, selfCgroup: `${self.join("\n")}\n` };
}

async function cgroupDir(dir: string, controllers: readonly string[]): Promise<void> {
  await mkdir(dir, { recursive: true });
  await writeFile(path.join(dir, "cgroup.controllers"), `${controllers.join(" ")}\n`);
  await writeFile(path.join(dir, "cgroup.subtree_control"), "");
  await writeFile(path.join(dir, "cgroup.procs"), "");
}
