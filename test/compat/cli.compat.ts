import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeClientHome, openclaw, remoteClientConfig, type ClientHome } from "./support/clients.js";
import { saveFrames, startCompatEnv, type CompatEnv } from "./support/compat-env.js";

const json = <T = Record<string, unknown>>(s: string): T => JSON.parse(s) as T;

describe("the real openclaw CLI against holdfast", () => {
  let env: CompatEnv;
  let home: ClientHome;
  const run = (args: string[], extra?: Record<string, string>) =>
    openclaw(env.clients, home, args, { ...(extra ? { env: extra } : {}), timeoutMs: 90_000 });

  beforeAll(async () => {
    env = await startCompatEnv();
    home = await makeClientHome("cli");
    await home.writeConfig(remoteClientConfig(env.recorder.url, env.token));
  });

  afterAll(async () => {
    await saveFrames("cli", env?.recorder, [env?.token]);
    await env?.stop();
  });

  it("gateway call: health, status and sessions.list", async () => {
    for (const method of ["health", "status", "sessions.list"]) {
      const r = await run(["gateway", "call", method, "--json"]);
      expect(r.code, `${method}: ${r.stderr}`).toBe(0);
      expect(typeof json(r.stdout)).toBe("object");
    }
  });

  it("agent --agent main --message --json: accepted, then the model's reply on the same request", async () => {
    const r = await run(["agent", "--agent", "main", "--message", "hello from the cli", "--json"]);
    expect(r.code, r.stderr).toBe(0);
    const out = json<{ runId: string; status: string; summary: string; result: { payloads: { text: string }[] } }>(
      r.stdout,
    );
    expect(out.status).toBe("ok");
    expect(out.summary).toBe("completed");
    expect(out.result.payloads.map((p) => p.text)).toEqual(["echo: hello from the cli"]);
    const agentReq = env.recorder.frames.find(
      (f) => f.dir === "in" && (f.frame as { method?: string }).method === "agent",
    )?.frame as { id: string; params: { idempotencyKey: string } };
    expect(out.runId).toBe(agentReq.params.idempotencyKey);
    const answers = env.recorder.frames.filter(
      (f) => f.dir === "out" && (f.frame as { type?: string; id?: string }).id === agentReq.id,
    );
    expect(answers.map((f) => (f.frame as { payload: { status: string } }).payload.status)).toEqual(["accepted", "ok"]);
  });

  it("gateway call agent --expect-final", async () => {
    const params = JSON.stringify({ message: "second", agentId: "main", idempotencyKey: "compat-run-1" });
    const r = await run(["gateway", "call", "agent", "--expect-final", "--json", "--params", params]);
    expect(r.code, r.stderr).toBe(0);
    const out = json<{ runId: string; status: string; result: { payloads: { text: string }[] } }>(r.stdout);
    expect(out).toMatchObject({ runId: "compat-run-1", status: "ok" });
    expect(out.result.payloads[0]?.text).toBe("echo: second");
  });

  it("status --json shows the gateway's sessions, not the client machine's", async () => {
    const r = await run(["status", "--json"]);
    expect(r.code, r.stderr).toBe(0);
    const out = json<{
      sessions: { count: number; byAgent: { agentId: string; count: number; recent: { key: string }[] }[] };
      heartbeat: unknown;
      channelSummary: unknown;
      queuedSystemEvents: unknown;
      gateway: { reachable?: boolean };
    }>(r.stdout);
    expect(out.sessions.count).toBeGreaterThanOrEqual(1);
    const main = out.sessions.byAgent.find((a) => a.agentId === "main");
    expect(main?.count).toBeGreaterThanOrEqual(1);
    expect(main?.recent.map((s) => s.key)).toContain("agent:main:main");
    expect(out).toHaveProperty("heartbeat");
    expect(out).toHaveProperty("channelSummary");
    expect(out).toHaveProperty("queuedSystemEvents");
  });

  it("health --json and health", async () => {
    const r = await run(["health", "--json"]);
    expect(r.code, r.stderr).toBe(0);
    const out = json<{
      ok: boolean;
      defaultAgentId: string;
      agents: { agentId: string; sessions: { count: number } }[];
    }>(r.stdout);
    expect(out.ok).toBe(true);
    expect(out.defaultAgentId).toBe("main");
    expect(out.agents.find((a) => a.agentId === "main")?.sessions.count).toBeGreaterThanOrEqual(1);
    const text = await run(["health"]);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toMatch(/Agents: main \(default\)/);
    expect(text.stdout).toMatch(/agent:main:main/);
  });

  it("devices list and nodes list", async () => {
    const devices = await run(["devices", "list", "--json"]);
    expect(devices.code, devices.stderr).toBe(0);
    expect(json(devices.stdout)).toMatchObject({ pending: [], paired: expect.any(Array) });
    const nodes = await run(["nodes", "list", "--json"]);
    expect(nodes.code, nodes.stderr).toBe(0);
    expect(json(nodes.stdout)).toMatchObject({ pending: [], paired: [] });
    const text = await run(["nodes", "list"]);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toMatch(/Pending: 0 · Paired: 0/);
  });

  it("a method holdfast does not implement answers with the reference's unknown-method error", async () => {
    const r = await run(["gateway", "call", "tts.status", "--json"]);
    expect(r.code).not.toBe(0);
    expect(r.stdout + r.stderr).toMatch(/unknown method: tts\.status/);
  });
});
