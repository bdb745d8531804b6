import { mkdtemp } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BubblewrapBackend } from "../bubblewrap.js";
import { hostJailSpec, JAIL_PATH } from "../host-jail.js";
import type { ExecRequest, SandboxSpec } from "../types.js";

/** The jail agent through the real bubblewrap backend (one long-lived jail per spec). */
describe("jail agent", () => {
  const backend = new BubblewrapBackend({ agentIdleMs: 1500 });
  let spec: SandboxSpec;
  const req = (command: string, o: Partial<ExecRequest> = {}): ExecRequest => ({
    argv: ["/bin/sh", "-c", command],
    cwd: "/",
    env: { PATH: JAIL_PATH, HOME: "/nonexistent" },
    timeoutMs: 10_000,
    maxOutputBytes: 64 * 1024,
    signal: new AbortController().signal,
    ...o,
  });

  beforeAll(async () => {
    const ws = await mkdtemp(path.join(os.tmpdir(), "holdfast-agent-"));
    spec = hostJailSpec({
      scopeKey: "session:agent-test",
      workspaceDir: ws,
      user: { uid: process.getuid?.() ?? 0, gid: process.getgid?.() ?? 0 },
      network: "none",
      limits: { memoryMb: 512, pids: 64, cpuSeconds: 20, fileSizeMb: 8 },
    });
    spec = { ...spec, workspaceAt: ws };
  });
  afterAll(() => backend.close());

  const run = (command: string, o: Partial<ExecRequest> = {}) =>
    backend.run(spec, req(command, { cwd: spec.workspaceDir, ...o }));

  it("runs commands of one session in the same jail, concurrently, each with its own limits", async () => {
    const [a, b] = await Promise.all([run("sleep 0.3; echo a > /tmp/same-jail; echo a"), run("echo b; ulimit -t")]);
    expect(a.stdout).toBe("a\n");
    expect(b.stdout).toBe("b\n20\n");
    expect((await run("cat /tmp/same-jail")).stdout).toBe("a\n");
  });

  it("does not wait for what a command left running, and kills it", async () => {
    const t = Date.now();
    const r = await run("sleep 30 & echo started");
    expect(r.stdout).toBe("started\n");
    expect(Date.now() - t).toBeLessThan(5000);
    const left = await run("ps -eo args | grep -c '^sleep 30' || true");
    expect(left.stdout.trim()).toBe("0");
  });

  it("kills a daemon that detached from its command once nothing else runs", async () => {
    await run("setsid sh -c 'sleep 30' > /dev/null 2>&1 < /dev/null & echo ok");
    const left = await run("ps -eo args | grep -c '^sleep 30' || true");
    expect(left.stdout.trim()).toBe("0");
  });

  it("ends a command at its timeout and on abort", async () => {
    expect(await run("sleep 20", { timeoutMs: 300 })).toMatchObject({ timedOut: true, exitCode: null });
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 200);
    const r = await run("sleep 20", { signal: ac.signal });
    expect(r.signal).toBe("SIGKILL");
  });

  it("gives a private, empty HOME when asked and removes it afterwards", async () => {
    const r = await run('echo "$HOME"; ls -A "$HOME" | wc -l; touch "$HOME/.x"', { privateHome: true });
    const [home, count] = r.stdout.trim().split("\n");
    expect(home).toMatch(/^\/tmp\/holdfast-home-/);
    expect(count).toBe("0");
    expect((await run(`test -e ${home} && echo still || echo gone`)).stdout).toBe("gone\n");
  });

  it("reports a command killed with its jail, and starts a new jail for the next call", async () => {
    const r = await run("kill -9 $PPID; sleep 5");
    expect(r).toMatchObject({ exitCode: null, signal: "SIGKILL" });
    expect(r.stderr).toContain("the jail ended");
    expect((await run("echo back")).stdout).toBe("back\n");
  });

  it("stops an idle jail and starts again on the next call", async () => {
    await run("echo x > /tmp/idle-marker");
    expect((await run("cat /tmp/idle-marker")).stdout).toBe("x\n");
    await new Promise((r) => setTimeout(r, 2500));
    expect((await run("cat /tmp/idle-marker 2>/dev/null || echo fresh")).stdout).toBe("fresh\n");
  });
});
