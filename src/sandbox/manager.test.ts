import { mkdtemp, readdir, stat, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { beforeEach, describe, expect, it } from "vitest";
import type { HoldfastConfig } from "../config/index.js";
import { silentLogger } from "../logging/index.js";
import { resolveSandbox, SandboxManager, type Availability, type SandboxBackend, type SandboxSpec } from "./index.js";
import { bubblewrapCommand } from "./bubblewrap-args.js";
import { isSandboxedSession, sandboxConfigIssues } from "./config.js";
import { scopeDirName } from "./manager.js";

const fakeBackend = (availability: Availability = { ok: true }): SandboxBackend => ({
  kind: "bubblewrap",
  availability: async () => availability,
  files: async (_spec, req) => req.ops.map(() => ({ ok: false, code: "failed", message: "not used here" })),
  run: async () => ({
    exitCode: 0,
    signal: null,
    stdout: "",
    stderr: "",
    truncated: false,
    timedOut: false,
    durationMs: 0,
  }),
});

describe("which sessions are sandboxed (reference §7.2)", () => {
  it.each([
    ["non-main", "agent:main:main", false],
    ["non-main", "AGENT:MAIN:MAIN", false],
    ["non-main", "agent:main:telegram:group:1", true],
    ["non-main", "agent:main:telegram:direct:42", true],
    ["non-main", "agent:main:work", true],
    ["all", "agent:main:main", true],
    ["off", "agent:main:telegram:group:1", false],
  ] as const)("mode %s, %s → %s", (mode, key, sandboxed) => {
    expect(isSandboxedSession({ mode }, "main", key)).toBe(sandboxed);
  });

  it("defaults to non-main / session / none with holdfast limits; agents override", () => {
    expect(resolveSandbox({}, "main")).toMatchObject({
      mode: "non-main",
      scope: "session",
      workspaceAccess: "none",
      network: "none",
      limits: { memoryMb: 1024, pids: 256, cpuSeconds: 120, fileSizeMb: 1024 },
    });
    const config: HoldfastConfig = {
      agents: {
        defaults: { sandbox: { mode: "all", limits: { pids: 10 } } },
        list: [{ id: "x", sandbox: { mode: "off", docker: { memory: "256m" } } }],
      },
    };
    expect(resolveSandbox(config, "main")).toMatchObject({ mode: "all", limits: { pids: 10 } });
    expect(resolveSandbox(config, "x")).toMatchObject({ mode: "off", limits: { pids: 10, memoryMb: 256 } });
  });
});

describe("sandbox safety checks (reference §7.5)", () => {
  it("names every unsafe setting", () => {
    const config: HoldfastConfig = {
      agents: {
        defaults: {
          sandbox: {
            docker: {
              network: "host",
              user: "root",
              seccompProfile: "unconfined",
              binds: [
                "/etc:/x",
                "/var/run/docker.sock:/s",
                "relative:/y",
                "/srv/data:/workspace/data",
                "/srv/ok:/data:ro",
              ],
            },
          },
        },
        list: [{ id: "a", sandbox: { docker: { network: "container:abc", memory: "lots", binds: ["/home/u:/h"] } } }],
      },
    };
    expect(sandboxConfigIssues(config, "/home/u")).toEqual([
      'agents.defaults.sandbox.docker.network: "host" would share a namespace with the host or another container; use "none" or a dedicated network',
      'agents.defaults.sandbox.docker.seccompProfile: "unconfined" is refused',
      "agents.defaults.sandbox.docker.user: the sandbox never runs as root",
      'agents.defaults.sandbox.docker.binds.0: bind source "/etc" exposes a system directory or the Docker socket',
      'agents.defaults.sandbox.docker.binds.1: bind source "/var/run/docker.sock" exposes a system directory or the Docker socket',
      'agents.defaults.sandbox.docker.binds.2: bind source "relative" must be an absolute path',
      'agents.defaults.sandbox.docker.binds.3: bind target "/workspace/data" is reserved for the sandbox workspace',
      'agents.list.0.sandbox.docker.network: "container:abc" would share a namespace with the host or another container; use "none" or a dedicated network',
      'agents.list.0.sandbox.docker.memory: expected bytes or a size like "512m"',
      'agents.list.0.sandbox.docker.binds.0: bind source "/home/u" exposes credentials in the home directory',
    ]);
  });
});

describe("bubblewrap command", () => {
  const layout = {
    dirs: ["/usr"],
    links: [["/bin", "usr/bin"]] as [string, string][],
    etc: ["/etc/ld.so.cache"],
    netEtc: ["/etc/resolv.conf"],
    hostEtc: [],
  };
  const spec: SandboxSpec = {
    scopeKey: "s",
    workspaceDir: "/state/sandboxes/s1",
    network: "none",
    limits: { memoryMb: 64, pids: 32, cpuSeconds: 5, fileSizeMb: 2 },
    user: { uid: 65534, gid: 65534 },
  };
  const bins = { bwrap: "/usr/bin/bwrap", prlimit: "/usr/bin/prlimit", setpriv: "/usr/bin/setpriv" };

  it("as root: limits, then a staging namespace, then setpriv to the sandbox user, then the sandbox", () => {
    const argv = bubblewrapCommand(
      spec,
      { command: ["/usr/bin/id"], cwd: "/workspace", env: { PATH: "/usr/bin" } },
      { bins, layout, uid: 0 },
    );
    expect(argv.slice(0, 7)).toEqual([
      "/usr/bin/prlimit",
      "--nproc=32",
      `--data=${64 * 1024 * 1024}`,
      "--cpu=5",
      `--fsize=${2 * 1024 * 1024}`,
      "--core=0",
      "--",
    ]);
    const join = argv.join(" ");
    expect(join).toContain(
      "/usr/bin/bwrap --perms 0755 --dir /etc --ro-bind /usr /usr --symlink usr/bin /bin --ro-bind-try /etc/ld.so.cache /etc/ld.so.cache --bind /proc /proc --dev-bind /dev /dev --tmpfs /tmp --bind /state/sandboxes/s1 /tmp/holdfast-stage-workspace --unshare-pid --die-with-parent -- /usr/bin/setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all --bounding-set=-all --no-new-privs --",
    );
    for (const flag of [
      "--unshare-user",
      "--unshare-pid",
      "--unshare-ipc",
      "--unshare-uts",
      "--unshare-net",
      "--die-with-parent",
      "--new-session",
      "--cap-drop ALL",
      "--disable-userns",
      "--clearenv",
      "--ro-bind /usr /usr",
      "--symlink usr/bin /bin",
      "--tmpfs /tmp",
      "--proc /proc",
      "--dev /dev",
      "--bind /tmp/holdfast-stage-workspace /workspace",
      "--chdir /workspace",
      "--setenv PATH /usr/bin",
    ]) {
      expect(join).toContain(flag);
    }
    expect(join).not.toContain("/etc/resolv.conf");
    expect(argv.slice(-2)).toEqual(["--", "/usr/bin/id"]);
  });

  it("unprivileged: no staging; network host keeps the resolver; ro mounts the agent workspace at /agent", () => {
    const argv = bubblewrapCommand(
      { ...spec, network: "host", agentWorkspaceDir: "/home/u/ws", user: { uid: 1000, gid: 1000 } },
      { command: ["/usr/bin/id"], cwd: "/workspace", env: {} },
      { bins, layout, uid: 1000 },
    );
    const join = argv.join(" ");
    expect(join).not.toContain("setpriv");
    expect(join).not.toContain("--unshare-net");
    expect(join).toContain("--ro-bind-try /etc/resolv.conf /etc/resolv.conf");
    expect(join).toContain("--bind /state/sandboxes/s1 /workspace");
    expect(join).toContain("--ro-bind /home/u/ws /agent");
  });
});

describe("sandbox manager", () => {
  let dir: string;
  let sessionId: string | undefined;
  let now: number;
  const make = (config: HoldfastConfig = {}, backend = fakeBackend()) =>
    new SandboxManager({
      config,
      sandboxesDir: path.join(dir, "sandboxes"),
      workspaceOf: () => path.join(dir, "workspace"),
      sessionIdOf: async () => sessionId,
      agentIds: () => ["main"],
      clock: { now: () => now, sleep: async () => undefined },
      log: silentLogger(),
      backends: { bubblewrap: backend, docker: backend },
    });

  beforeEach(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), "holdfast-sbm-"));
    sessionId = "s1";
    now = 1_000_000;
  });

  it("names scope directories per scope", () => {
    expect(scopeDirName("shared", "main", "agent:main:x")).toBe("shared");
    expect(scopeDirName("agent", "main", "agent:main:x")).toBe("agent-main");
    expect(scopeDirName("session", "main", "agent:main:telegram:group:-100")).toMatch(
      /^session-main-telegram_group_-100-[0-9a-f]{10}$/,
    );
    expect(scopeDirName("session", "main", "agent:main:a.b")).not.toBe(
      scopeDirName("session", "main", "agent:main:a_b"),
    );
  });

  it("creates 700 workspaces per scope, owned by the sandbox user", async () => {
    const m = make();
    const a = await m.prepare("main", "agent:main:g1");
    const b = await m.prepare("main", "agent:main:g2");
    expect(a.spec.workspaceDir).not.toBe(b.spec.workspaceDir);
    expect((await stat(a.spec.workspaceDir)).mode & 0o777).toBe(0o700);
    expect((await stat(path.join(dir, "sandboxes"))).mode & 0o777).toBe(0o700);
    if (process.getuid?.() === 0) expect((await stat(a.spec.workspaceDir)).uid).toBe(65534);
    expect(a.mounts).toEqual([{ at: "/workspace", hostDir: a.spec.workspaceDir, readOnly: false }]);
    const shared = make({ agents: { defaults: { sandbox: { scope: "shared" } } } });
    expect((await shared.prepare("main", "agent:main:g1")).spec.workspaceDir).toBe(
      (await shared.prepare("main", "agent:main:g2")).spec.workspaceDir,
    );
  });

  it("wipes a session workspace when the session is reset (new session id)", async () => {
    const m = make();
    const a = await m.prepare("main", "agent:main:g1");
    await writeFile(path.join(a.spec.workspaceDir, "old.txt"), "x");
    sessionId = "s2";
    now += 120_000;
    const b = await m.prepare("main", "agent:main:g1");
    expect(b.spec.workspaceDir).toBe(a.spec.workspaceDir);
    expect(await readdir(b.spec.workspaceDir)).toEqual([]);
  });

  it("prunes workspaces whose session is gone or that sat idle too long; keeps live ones", async () => {
    const m = make({ agents: { defaults: { sandbox: { prune: { idleHours: 1 } } } } });
    const a = await m.prepare("main", "agent:main:g1");
    expect(await m.prune()).toBe(0);
    sessionId = undefined;
    expect(await m.prune()).toBe(1);
    await expect(stat(a.spec.workspaceDir)).rejects.toMatchObject({ code: "ENOENT" });
    sessionId = "s9";
    const b = await m.prepare("main", "agent:main:g3");
    now += 2 * 3_600_000;
    expect(await m.prune()).toBe(1);
    await expect(stat(b.spec.workspaceDir)).rejects.toMatchObject({ code: "ENOENT" });
  });

  it("reports an unavailable backend with its name", async () => {
    const m = make({}, fakeBackend({ ok: false, reason: "bwrap is not installed" }));
    expect(await m.availability("main")).toEqual({
      ok: false,
      reason: "the bubblewrap sandbox backend is unavailable: bwrap is not installed",
    });
  });

  it("for workspaceAccess rw mounts the agent workspace itself; for ro adds /agent", async () => {
    const rw = await make({ agents: { defaults: { sandbox: { workspaceAccess: "rw" } } } }).prepare(
      "main",
      "agent:main:g1",
    );
    expect(rw.spec.workspaceDir).toBe(path.join(dir, "workspace"));
    const ro = await make({ agents: { defaults: { sandbox: { workspaceAccess: "ro" } } } }).prepare(
      "main",
      "agent:main:g1",
    );
    expect(ro.spec.agentWorkspaceDir).toBe(path.join(dir, "workspace"));
    expect(ro.mounts.map((x) => [x.at, x.readOnly])).toEqual([
      ["/workspace", false],
      ["/agent", true],
    ]);
  });
});
