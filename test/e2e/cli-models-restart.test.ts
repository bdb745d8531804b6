import { readFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeStateDir, mockModelConfig, pipedToHead, runCli, spawnGateway } from "../support/gateway-process.js";
import { startMockModelServer, type MockModelServer } from "../support/mock-model-server.js";
import { closedPort } from "../support/ports.js";

/** The mock as primary, a provider at a closed port as fallback. */
function chainConfig(mockUrl: string, deadPort: number): Record<string, unknown> {
  const mock = mockModelConfig(mockUrl) as { models: { providers: Record<string, unknown> } };
  return {
    models: {
      providers: {
        ...mock.models.providers,
        dead: { baseUrl: `http://127.0.0.1:${deadPort}/v1`, api: "openai-completions", models: ["gone"] },
      },
    },
    agents: { defaults: { model: { primary: "mock/mock-model", fallbacks: ["dead/gone"] } } },
  };
}

describe("models, agent, restart and logs through real processes", () => {
  let mock: MockModelServer;
  beforeAll(async () => {
    mock = await startMockModelServer();
  });
  afterAll(() => mock.close());

  it("models list|status show the providers and the chain; --probe calls each and names a dead one's cause", async () => {
    const dead = await closedPort();
    const stateDir = await makeStateDir(chainConfig(mock.url, dead));
    const list = await runCli(stateDir, ["models", "list", "--json"]);
    expect(list.code, list.stderr).toBe(0);
    const providers = (JSON.parse(list.stdout) as { providers: { id: string; configured: boolean }[] }).providers;
    expect(providers.filter((p) => p.configured).map((p) => p.id)).toEqual(["mock", "dead"]);
    const status = await runCli(stateDir, ["models", "status"]);
    expect(status.code, status.stderr).toBe(0);
    expect(status.stdout).toContain("primary  mock/mock-model");
    expect(status.stdout).toContain("fallback dead/gone");
    expect(status.stdout).toContain("models status --probe");
    const probed = await runCli(stateDir, ["models", "status", "--probe", "--json"]);
    expect(probed.code, probed.stderr).toBe(0);
    const agent = (JSON.parse(probed.stdout) as { agents: { probes: { ok: boolean; error?: string }[] }[] }).agents[0];
    expect(agent?.probes[0]).toMatchObject({ ok: true });
    expect(agent?.probes[1]).toMatchObject({ ok: false });
    expect(agent?.probes[1]?.error).toContain(
      `dead at http://127.0.0.1:${dead}/v1 could not be reached (ECONNREFUSED)`,
    );
    // With only the dead model, a turn fails within a second or two and says why.
    const onlyDead = await makeStateDir({
      models: { providers: { dead: { baseUrl: `http://127.0.0.1:${dead}/v1`, api: "openai-completions" } } },
      agents: { defaults: { model: { primary: "dead/gone" } } },
    });
    const gw = await spawnGateway(onlyDead);
    try {
      const started = Date.now();
      const turn = await runCli(onlyDead, ["agent", "--message", "hello"]);
      expect(turn.code).not.toBe(0);
      expect(turn.stderr).toContain(`dead at http://127.0.0.1:${dead}/v1 could not be reached (ECONNREFUSED)`);
      expect(turn.stderr).toMatch(/2 attempts/);
      expect(Date.now() - started).toBeLessThan(12_000); // the old behaviour was 16 s of retries
      expect((await runCli(onlyDead, ["models", "status", "--probe"])).code).toBe(1);
    } finally {
      await gw.stop();
    }
  }, 90_000);

  it("gateway restart starts it again with the same arguments; logs | head -1 exits quietly", async () => {
    const stateDir = await makeStateDir(mockModelConfig(mock.url));
    const gw = await spawnGateway(stateDir);
    let newPid: number | undefined;
    try {
      const res = await runCli(stateDir, ["gateway", "restart", "--json"], { timeoutMs: 40_000 });
      expect(res.code, res.stderr).toBe(0);
      const r = JSON.parse(res.stdout) as { how: string; oldPid: number; pid: number; port: number };
      newPid = r.pid;
      expect(r).toMatchObject({ how: "process", oldPid: gw.proc.pid });
      expect(r.pid).not.toBe(gw.proc.pid);
      await gw.stop(); // already exited: restart stopped it
      expect(gw.proc.exitCode).toBe(0);
      const pidFile = JSON.parse(await readFile(path.join(stateDir, "gateway.pid"), "utf8")) as Record<string, unknown>;
      expect(pidFile).toMatchObject({ pid: r.pid, port: r.port, argv: ["gateway", "--port", "0"] });
      const turn = await runCli(stateDir, ["agent", "--message", "after the restart"]);
      expect(turn, turn.stderr).toMatchObject({ code: 0, stdout: "echo: after the restart\n" });
      const status = await runCli(stateDir, ["gateway", "status"]);
      expect(status.stdout).toContain(`The gateway is running: pid ${r.pid}, port ${r.port}`);
      const head = await pipedToHead(stateDir, ["logs", "--limit", "100"]);
      expect({ code: head.code, stderr: head.stderr }).toEqual({ code: 0, stderr: "" });
      expect(head.stdout.split("\n")).toHaveLength(2);
      const stop = await runCli(stateDir, ["gateway", "stop"]);
      expect(stop.stdout).toContain(`Stopped the gateway (pid ${r.pid}`);
      newPid = undefined;
    } finally {
      await gw.stop();
      if (newPid !== undefined) process.kill(newPid, "SIGTERM");
    }
  }, 90_000);

  it("doctor accepts the port held by this state dir's gateway; a second start names it and what to do", async () => {
    const port = await closedPort();
    const stateDir = await makeStateDir({ ...mockModelConfig(mock.url), gateway: { port } });
    const gw = await spawnGateway(stateDir, { args: ["--port", String(port)] });
    try {
      const doc = await runCli(stateDir, ["doctor", "--json"]);
      expect(doc.code, doc.stdout).toBe(0);
      const checks = (JSON.parse(doc.stdout) as { gateway: { preconditions: { id: string }[] } }).gateway.preconditions;
      expect(checks.find((c) => c.id === "port")).toMatchObject({ ok: false, heldByThisGateway: true });
      const second = await runCli(stateDir, ["gateway"]);
      expect(second.code).toBe(1);
      expect(second.stderr).toContain(
        `Port 127.0.0.1:${port} is in use by this state dir's holdfast gateway (pid ${gw.proc.pid}`,
      );
      expect(second.stderr).toContain("it is already running");
      expect(second.stderr).toContain("gateway restart");
    } finally {
      await gw.stop();
    }
  }, 60_000);
});
