import { spawn } from "node:child_process";
import { readFile, stat } from "node:fs/promises";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { fakeLegacyCgroupFs, fakeUnifiedCgroupFs } from "../../test/support/fake-cgroupfs.js";
import { parseCgroupLayout } from "./cgroup-layout.js";
import { openSessionCgroups, probeSessionCgroups, sessionCgroupName } from "./cgroups.js";

const HYBRID_MOUNTINFO = [
  "30 22 0:27 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755",
  "31 30 0:28 / /sys/fs/cgroup/cpu,cpuacct rw,relatime - cgroup cgroup rw,cpu,cpuacct",
  "34 30 0:31 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory",
  "38 30 0:35 / /sys/fs/cgroup/pids rw,relatime - cgroup cgroup rw,pids",
  "40 30 0:37 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw",
].join("\n");
const HYBRID_SELF = "8:pids:/\n4:memory:/job/7\n1:cpu,cpuacct:/\n0::/\n";

describe("parseCgroupLayout", () => {
  it("uses cgroup v2 when the unified hierarchy has the memory controller", () => {
    const l = parseCgroupLayout(
      "40 30 0:37 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw\n",
      "0::/system.slice/holdfast.service\n",
      ["cpu", "memory", "pids"],
    );
    expect(l).toEqual({ kind: "v2", mount: "/sys/fs/cgroup", own: "/sys/fs/cgroup/system.slice/holdfast.service" });
  });

  it("uses the v1 hierarchies on a hybrid system whose unified hierarchy has no controllers", () => {
    expect(parseCgroupLayout(HYBRID_MOUNTINFO, HYBRID_SELF, [])).toEqual({
      kind: "v1",
      own: { memory: "/sys/fs/cgroup/memory/job/7", pids: "/sys/fs/cgroup/pids", cpu: "/sys/fs/cgroup/cpu,cpuacct" },
    });
  });

  it("maps a path under a mount whose root is not / (cgroup namespace) and refuses paths outside it", () => {
    const mi = "40 30 0:37 /job /sys/fs/cgroup rw - cgroup2 cgroup2 rw\n";
    expect(parseCgroupLayout(mi, "0::/job/a\n", ["memory"])).toMatchObject({ own: "/sys/fs/cgroup/a" });
    expect(parseCgroupLayout(mi, "0::/other\n", ["memory"])).toBeUndefined();
  });

  it("finds nothing without a cgroup mount", () => {
    expect(parseCgroupLayout("22 1 0:20 / /proc rw - proc proc rw\n", "0::/\n", [])).toBeUndefined();
  });
});

describe("openSessionCgroups on a fake cgroup tree", () => {
  it("v2 as root: holdfast/<name>/s-<hash> with controllers enabled down the path and the limits written", async () => {
    const fs = await fakeUnifiedCgroupFs(["cpu", "memory", "pids", "io"], "/init.scope");
    const a = await openSessionCgroups({ ...fs, name: "holdfast-1", root: true });
    if (!a.ok) throw new Error(a.reason);
    expect(a.cgroups.kind).toBe("v2");
    expect([...a.cgroups.controllers].sort()).toEqual(["cpu", "memory", "pids"]);
    const join = await a.cgroups.prepare("agent:main:main", { memoryMb: 100, pids: 32, cpus: 0.5 });
    const dir = path.join(fs.root, "unified", "holdfast", "holdfast-1", sessionCgroupName("agent:main:main"));
    expect(join.procs).toEqual([path.join(dir, "cgroup.procs")]);
    expect(await readFile(path.join(dir, "memory.max"), "utf8")).toBe(String(100 * 1024 * 1024));
    expect(await readFile(path.join(dir, "memory.swap.max"), "utf8")).toBe("0");
    expect(await readFile(path.join(dir, "pids.max"), "utf8")).toBe("32");
    expect(await readFile(path.join(dir, "cpu.max"), "utf8")).toBe("50000 100000");
    for (const d of ["", "holdfast", "holdfast/holdfast-1"])
      expect(await readFile(path.join(fs.root, "unified", d, "cgroup.subtree_control"), "utf8")).toBe(
        "+cpu +memory +pids",
      );
  });

  it("v2 unprivileged: refuses a cgroup that is not delegated, naming how to get one", async () => {
    const fs = await fakeUnifiedCgroupFs(["memory", "pids"]);
    const { chmod } = await import("node:fs/promises");
    await chmod(path.join(fs.root, "unified", "user.slice", "holdfast.scope", "cgroup.subtree_control"), 0o444);
    const a = await openSessionCgroups({ ...fs, name: "holdfast-2", root: false });
    if (process.getuid?.() === 0) return expect(a.ok).toBe(true);
    expect(a).toMatchObject({ ok: false, reason: expect.stringContaining("Delegate=yes") });
  });

  it("v2 delegated: moves the gateway's processes into a leaf and nests sessions beside it", async () => {
    const fs = await fakeUnifiedCgroupFs(["memory", "pids"]);
    const a = await openSessionCgroups({ ...fs, name: "holdfast-3", root: false, pid: 4242 });
    if (!a.ok) throw new Error(a.reason);
    const own = path.join(fs.root, "unified", "user.slice", "holdfast.scope");
    expect(await readFile(path.join(own, "gateway", "cgroup.procs"), "utf8")).toBe("4242");
    expect((await stat(path.join(own, "holdfast-3"))).isDirectory()).toBe(true);
    expect([...a.cgroups.controllers].sort()).toEqual(["memory", "pids"]);
  });

  it("v1: one session directory per controller hierarchy, memsw kept equal to the memory limit", async () => {
    const fs = await fakeLegacyCgroupFs();
    const a = await openSessionCgroups({ ...fs, name: "holdfast-4", root: true });
    if (!a.ok) throw new Error(a.reason);
    expect(a.cgroups.kind).toBe("v1");
    const join = await a.cgroups.prepare("agent:main:work", { memoryMb: 64, pids: 10, cpus: 2 });
    expect(join.procs).toHaveLength(3);
    const name = sessionCgroupName("agent:main:work");
    const mem = path.join(fs.root, "memory", "holdfast-4", name);
    expect(await readFile(path.join(mem, "memory.limit_in_bytes"), "utf8")).toBe(String(64 * 1024 * 1024));
    expect(await readFile(path.join(mem, "memory.memsw.limit_in_bytes"), "utf8")).toBe(String(64 * 1024 * 1024));
    expect(await readFile(path.join(fs.root, "pids", "holdfast-4", name, "pids.max"), "utf8")).toBe("10");
    expect(await readFile(path.join(fs.root, "cpu,cpuacct", "holdfast-4", name, "cpu.cfs_quota_us"), "utf8")).toBe(
      "200000",
    );
  });

  it("probes without creating anything", async () => {
    const fs = await fakeUnifiedCgroupFs(["memory", "pids"], "/init.scope");
    const p = await probeSessionCgroups({ ...fs, root: true });
    expect(p).toMatchObject({ ok: true, kind: "v2" });
    await expect(stat(path.join(fs.root, "unified", "holdfast"))).rejects.toThrow();
    expect(await probeSessionCgroups({ mountinfo: "", selfCgroup: "" })).toEqual({
      ok: false,
      reason: "no cgroup file system is mounted",
    });
  });

  it("removes the cgroups of gateways that are gone", async () => {
    const fs = await fakeLegacyCgroupFs();
    const { mkdir } = await import("node:fs/promises");
    await mkdir(path.join(fs.root, "pids", "holdfast-999999999", "s-x"), { recursive: true });
    const a = await openSessionCgroups({ ...fs, name: "holdfast-5", root: true });
    expect(a.ok).toBe(true);
    await expect(stat(path.join(fs.root, "pids", "holdfast-999999999"))).rejects.toThrow();
  });
});

/** Runs `count` processes that each touch `mb` MiB, inside the session cgroup; resolves with how many survived. */
function allocators(procs: readonly string[], count: number, mb: number): Promise<number> {
  const script = `import time\nb = bytearray(${mb} * 1024 * 1024)\nfor i in range(0, len(b), 4096): b[i] = 1\ntime.sleep(1)\nprint("alive")`;
  const join = 'while [ "$1" != -- ]; do echo $$ > "$1" || exit 125; shift; done; shift; exec "$@"';
  const wrapper = `for i in $(seq ${count}); do /usr/bin/python3 -c "$0" & done; wait`;
  return new Promise((resolve, reject) => {
    const child = spawn("/bin/sh", ["-c", join, "join", ...procs, "--", "/bin/sh", "-c", wrapper, script], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    child.stdout.on("data", (b: Buffer) => (out += b.toString()));
    child.on("error", reject);
    child.on("close", () => resolve(out.split("\n").filter((l) => l === "alive").length));
  });
}

describe("session cgroups on this machine's kernel", async () => {
  const a = await openSessionCgroups({ name: `holdfast-test-${process.pid}` });
  afterAll(async () => {
    if (a.ok) await a.cgroups.close();
  });
  it.runIf(a.ok && a.cgroups.controllers.has("memory"))(
    "holds five 80 MB processes of one session under a 100 MB session limit (the OOM killer stops some)",
    async () => {
      if (!a.ok) return;
      const key = `agent:main:test-${process.pid}`;
      const join = await a.cgroups.prepare(key, { memoryMb: 100, pids: 64 });
      const alive = await allocators(join.procs, 5, 80);
      expect(alive).toBeLessThan(5);
      expect(await a.cgroups.oomKills(key)).toBeGreaterThan(0);
      await a.cgroups.remove(key);
    },
  );

  it.runIf(!a.ok)("says why cgroups are unavailable", () => {
    expect(a.ok ? "" : a.reason).toMatch(/cgroup/);
  });
});
