import { existsSync } from "node:fs";
import { chmod, mkdir, mkdtemp, readFile, writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:net";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BubblewrapBackend } from "./bubblewrap.js";
import { openSessionCgroups, type CgroupAvailability } from "./cgroups.js";
import { scrubbedEnv } from "./env.js";
import { hostJailSpec, JAIL_PATH } from "./host-jail.js";
import { sandboxRunner } from "./runner.js";
import type { ExecResult, SandboxSpec } from "./types.js";

/** The host jail against real bubblewrap: this test process plays the gateway whose secrets must stay out of reach. */
describe("host jail (real bubblewrap)", () => {
  let stateDir: string;
  let workspace: string;
  let server: Server;
  let port: number;
  const backend = new BubblewrapBackend();
  const self = { uid: process.getuid?.() ?? 0, gid: process.getgid?.() ?? 0 };
  const secretEnv = { OPENAI_API_KEY: "sk-host-jail-secret-0123456789" };
  let cg: CgroupAvailability;

  const spec = (o: Partial<Parameters<typeof hostJailSpec>[0]> = {}): SandboxSpec =>
    hostJailSpec({
      scopeKey: "session:agent:main:main",
      workspaceDir: workspace,
      user: self,
      network: "host",
      limits: { memoryMb: 1024, pids: 256, cpuSeconds: 30, fileSizeMb: 64 },
      ...o,
    });
  const run = (command: string, s: SandboxSpec = spec()): Promise<ExecResult> =>
    sandboxRunner(backend, s).run({
      argv: ["/bin/bash", "-c", command],
      cwd: workspace,
      env: { ...scrubbedEnv({ ...process.env, ...secretEnv }, workspace), PATH: JAIL_PATH },
      timeoutMs: 15_000,
      maxOutputBytes: 256 * 1024,
      signal: new AbortController().signal,
    });

  beforeAll(async () => {
    process.env.HOLDFAST_HOST_JAIL_TEST_SECRET = secretEnv.OPENAI_API_KEY;
    stateDir = await mkdtemp(path.join(os.tmpdir(), "holdfast-hostjail-"));
    await chmod(stateDir, 0o700);
    await writeFile(path.join(stateDir, "holdfast.json"), '{"gateway":{"auth":{"token":"config-secret-token"}}}');
    await mkdir(path.join(stateDir, "credentials"), { mode: 0o700 });
    await writeFile(path.join(stateDir, "credentials", "gateway-token"), "stored-secret-token\n", { mode: 0o600 });
    workspace = path.join(stateDir, "workspace");
    await mkdir(workspace, { mode: 0o700 });
    await writeFile(path.join(workspace, "notes.txt"), "hello\n");
    expect(await backend.availability()).toEqual({ ok: true });
    server = createServer((s) => s.end("from the host\n"));
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    port = (server.address() as { port: number }).port;
    cg = await openSessionCgroups({ name: `holdfast-hj-${process.pid}` });
  });

  afterAll(async () => {
    delete process.env.HOLDFAST_HOST_JAIL_TEST_SECRET;
    await new Promise<void>((r) => server?.close(() => r()));
    if (cg?.ok) await cg.cgroups.close();
  });

  it("runs in the workspace at its host path, read-write, with the host's user", async () => {
    const r = await run(`pwd; cat notes.txt; echo written > out.txt; id -u`);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toBe(`${workspace}\nhello\n${self.uid}\n`);
    expect(await readFile(path.join(workspace, "out.txt"), "utf8")).toBe("written\n");
  });

  it("cannot reach the gateway's /proc/<pid>/root or /proc/<pid>/environ", async () => {
    const r = await run(
      `cat /proc/${process.pid}/root${stateDir}/holdfast.json; cat /proc/${process.pid}/environ; ls /proc | grep -c '^[0-9]'; cat /proc/1/cmdline | tr '\\0' ' '`,
    );
    expect(r.stdout).not.toContain("secret");
    expect(r.stderr).toMatch(/No such file or directory/);
    const [count] = r.stdout.split("\n");
    expect(Number(count)).toBeLessThan(10);
  });

  it("cannot see the state dir, its credentials and config, or the home directory", async () => {
    const r = await run(
      `ls -A ${stateDir}; cat ${stateDir}/holdfast.json; cat ${stateDir}/credentials/gateway-token; ls ${os.homedir()}`,
    );
    expect(r.stdout.trim()).toBe("workspace");
    expect(r.stdout + r.stderr).not.toContain("secret-token");
  });

  it("has a scrubbed environment, no capabilities, no new privileges, read-only system dirs and a private /tmp", async () => {
    const marker = `holdfast-hj-${process.pid}`;
    const r = await run(
      `env; grep -E 'CapEff|NoNewPrivs' /proc/self/status; touch /usr/${marker} 2>&1; touch /tmp/${marker} && echo tmp-ok`,
    );
    expect(r.stdout).not.toContain(secretEnv.OPENAI_API_KEY);
    expect(r.stdout).toContain("CapEff:\t0000000000000000");
    expect(r.stdout).toMatch(/NoNewPrivs:\s+1/);
    expect(r.stdout).toMatch(/Read-only file system/);
    expect(r.stdout).toContain("tmp-ok");
    expect(existsSync(`/tmp/${marker}`)).toBe(false);
  });

  it("keeps the host network by default and has none with network: none", async () => {
    const probe = `exec 3<>/dev/tcp/127.0.0.1/${port} && head -1 <&3`;
    expect((await run(probe)).stdout).toBe("from the host\n");
    const none = await run(probe, spec({ network: "none" }));
    expect(none.stdout).toBe("");
    expect(none.exitCode).not.toBe(0);
  });

  it("mounts read-only extras where asked (never into the writable workspace)", async () => {
    const media = await mkdtemp(path.join(os.tmpdir(), "holdfast-hj-media-"));
    await writeFile(path.join(media, "photo.jpg"), "jpeg");
    const r = await run(
      "cat /inbox/photo.jpg; echo; touch /inbox/x 2>&1",
      spec({ readOnlyMounts: [{ source: media, at: "/inbox" }] }),
    );
    expect(r.stdout).toMatch(/^jpeg\n.*Read-only file system/s);
  });

  it("bounds a fork bomb through the session cgroup, also for uid 0", async (ctx) => {
    if (!cg.ok || !cg.cgroups.controllers.has("pids")) return ctx.skip();
    const key = `agent:main:hj-${process.pid}`;
    const join = await cg.cgroups.prepare(key, { pids: 24 });
    const cgroup = { procs: join.procs, controllers: [...cg.cgroups.controllers] };
    const bomb = "for i in $(seq 60); do sleep 5 & done; echo unbounded";
    const r = await sandboxRunner(backend, spec({ cgroup })).run({
      argv: ["/bin/sh", "-c", bomb],
      cwd: workspace,
      env: { PATH: JAIL_PATH },
      timeoutMs: 15_000,
      maxOutputBytes: 4096,
      signal: new AbortController().signal,
    });
    expect(r.stdout).not.toContain("unbounded");
    expect(r.stderr).toMatch(/Cannot fork/);
    await cg.cgroups.remove(key);
  });
});
