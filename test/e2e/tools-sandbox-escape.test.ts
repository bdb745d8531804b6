import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { chmod, mkdir, mkdtemp, readdir, readFile, stat, symlink, writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:net";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { systemClock } from "../../src/infra/index.js";
import { silentLogger } from "../../src/logging/index.js";
import {
  SandboxManager,
  sandboxRunner,
  scrubbedEnv,
  type ExecResult,
  type PreparedSandbox,
} from "../../src/sandbox/index.js";

/**
 * The escape table, run against the real bubblewrap backend: every row tries to leave the sandbox
 * and must be blocked.
 */
describe("bubblewrap sandbox escape table", () => {
  let stateDir: string;
  let box: PreparedSandbox;
  let server: Server;
  let port: number;
  let connections = 0;
  const secretEnv = {
    OPENAI_API_KEY: "sk-test-openai-key-0123456789",
    ANTHROPIC_API_KEY: "sk-ant-test-0123456789",
    HOLDFAST_GATEWAY_TOKEN: "gateway-token-0123456789abcdef",
  };

  const run = (
    command: string,
    opts: { pids?: number; timeoutMs?: number; argv?: string[] } = {},
  ): Promise<ExecResult> => {
    const spec = { ...box.spec, limits: { ...box.spec.limits, pids: opts.pids ?? box.spec.limits.pids } };
    return sandboxRunner(box.backend, spec).run({
      ...(opts.argv ? { argv: opts.argv } : { argv: ["/bin/bash", "-c", command] }),
      cwd: box.spec.workspaceDir,
      env: scrubbedEnv({ ...process.env, ...secretEnv }, "/workspace"),
      timeoutMs: opts.timeoutMs ?? 10_000,
      maxOutputBytes: 64 * 1024,
      signal: new AbortController().signal,
    });
  };

  beforeAll(async () => {
    stateDir = await mkdtemp(path.join(os.tmpdir(), "holdfast-escape-"));
    await chmod(stateDir, 0o700);
    await writeFile(path.join(stateDir, "holdfast.json"), '{"gateway":{"auth":{"token":"config-secret-token"}}}', {
      mode: 0o600,
    });
    await mkdir(path.join(stateDir, "credentials"), { mode: 0o700 });
    await writeFile(path.join(stateDir, "credentials", "gateway-token"), "stored-secret-token\n", { mode: 0o600 });
    const manager = new SandboxManager({
      config: { agents: { defaults: { sandbox: { limits: { pids: 64 } } } } },
      sandboxesDir: path.join(stateDir, "sandboxes"),
      workspaceOf: () => path.join(stateDir, "workspace"),
      sessionIdOf: async () => "s1",
      agentIds: () => ["main"],
      clock: systemClock,
      log: silentLogger(),
    });
    const available = await manager.availability("main");
    expect(available).toEqual({ ok: true });
    box = await manager.prepare("main", "agent:main:telegram:group:1");
    expect(box.backend.kind).toBe("bubblewrap");
    await symlink(path.join(stateDir, "holdfast.json"), path.join(box.spec.workspaceDir, "abs-link"));
    await symlink("../../holdfast.json", path.join(box.spec.workspaceDir, "rel-link"));
    server = createServer((s) => {
      connections++;
      s.end("hello from the host\n");
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    port = (server.address() as { port: number }).port;
  });

  afterAll(async () => {
    await new Promise<void>((r) => server?.close(() => r()));
  });

  it("puts the workspace under <stateDir>/sandboxes with mode 700", async () => {
    expect(box.spec.workspaceDir.startsWith(path.join(stateDir, "sandboxes") + path.sep)).toBe(true);
    expect((await stat(path.join(stateDir, "sandboxes"))).mode & 0o777).toBe(0o700);
    expect((await stat(box.spec.workspaceDir)).mode & 0o777).toBe(0o700);
  });

  it.each([
    ["/etc/shadow", "cat /etc/shadow"],
    ["the state dir config", () => `cat ${path.join(stateDir, "holdfast.json")}`],
    ["the state dir credentials", () => `cat ${path.join(stateDir, "credentials", "gateway-token")}`],
    ["~/.ssh", () => `ls -la ${path.join(os.homedir(), ".ssh")}`],
    ["the home directory", () => `ls ${os.homedir()}`],
    ["an absolute symlink into the state dir", "cat abs-link"],
    ["a relative symlink out of the workspace", "cat rel-link"],
    ["a .. path out of the workspace", "cat ../../holdfast.json; cat /workspace/../../holdfast.json"],
  ])("cannot read %s", async (_name, command) => {
    const r = await run(typeof command === "function" ? command() : command);
    expect(r.exitCode).not.toBe(0);
    expect(r.stdout).not.toContain("secret");
    expect(r.stderr).toMatch(/No such file or directory/);
  });

  it("cannot write outside the workspace (system dirs are read-only, /tmp is private)", async () => {
    const marker = `holdfast-escape-${randomBytes(4).toString("hex")}`;
    const r = await run(
      `echo x > /usr/${marker}; echo x > /tmp/${marker} && echo tmp-ok; echo x > ${path.join(stateDir, marker)}; echo x > /workspace/inside && echo ws-ok`,
    );
    expect(r.stderr).toMatch(/Read-only file system/);
    expect(r.stdout).toContain("tmp-ok");
    expect(r.stdout).toContain("ws-ok");
    expect(existsSync(`/usr/${marker}`)).toBe(false);
    expect(existsSync(`/tmp/${marker}`)).toBe(false);
    expect(existsSync(path.join(stateDir, marker))).toBe(false);
    expect(await readFile(path.join(box.spec.workspaceDir, "inside"), "utf8")).toBe("x\n");
  });

  it("cannot connect to the gateway port or to 127.0.0.1:22 (no network)", async () => {
    const r = await run(
      `exec 3<>/dev/tcp/127.0.0.1/${port} && echo connected-gw; exec 4<>/dev/tcp/127.0.0.1/22 && echo connected-ssh; exec 5<>/dev/tcp/1.1.1.1/53 && echo connected-out`,
    );
    expect(r.stdout).not.toContain("connected");
    expect(r.stderr).toMatch(/Network is unreachable|Connection refused/);
    expect(connections).toBe(0);
  });

  it("bounds a fork bomb by the process limit and leaves nothing running", async () => {
    const marker = `holdfast-bomb-${randomBytes(4).toString("hex")}`;
    const bomb = "b() { b | b & }; b; i=0; while [ $i -lt 40 ]; do sleep 30 & i=$((i+1)); done; echo unbounded";
    const r = await run("", { pids: 16, timeoutMs: 10_000, argv: ["/bin/sh", "-c", bomb, marker] });
    expect(r.timedOut).toBe(false);
    expect(r.stdout).not.toContain("unbounded");
    expect(r.stderr).toMatch(/Cannot fork/);
    const leftovers: string[] = [];
    for (const pid of (await readdir("/proc")).filter((p) => /^\d+$/.test(p))) {
      const cmd = await readFile(`/proc/${pid}/cmdline`, "utf8").catch(() => "");
      if (cmd.includes(marker)) leftovers.push(pid);
    }
    expect(leftovers).toEqual([]);
  });

  it("has no secrets in its environment and cannot see host processes", async () => {
    const r = await run(`env; echo ---; ls /proc | grep -c '^[0-9]'; cat /proc/${process.pid}/environ`);
    for (const v of Object.values(secretEnv)) expect(r.stdout).not.toContain(v);
    expect(r.stdout).not.toMatch(/API_KEY|GATEWAY_TOKEN/);
    const [, count] = r.stdout.split("---\n");
    expect(Number(count?.trim().split("\n")[0])).toBeLessThan(10);
    expect(r.stderr).toMatch(/No such file or directory/);
  });

  it("runs unprivileged: no capabilities, no new user namespaces", async () => {
    const r = await run("grep CapEff /proc/self/status; id -u; unshare -U true && echo nested-ok");
    expect(r.stdout).toContain("CapEff:\t0000000000000000");
    if (process.getuid?.() === 0) expect(r.stdout).toContain("65534");
    expect(r.stdout).not.toContain("nested-ok");
  });
});
