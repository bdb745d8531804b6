import { readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  makeStateDir,
  mockModelConfig,
  REPO_ROOT,
  runCli,
  spawnGateway,
  type GatewayProcess,
} from "../support/gateway-process.js";
import { echoScript, startMockModelServer, type MockModelServer } from "../support/mock-model-server.js";
import { fixtureExists, liveEvents, loadFixture, recordedEvents, replay, type Fixture } from "./replay.js";

/**
 * The recorded sessions of the real OpenClaw clients (`HOLDFAST_COMPAT_RECORD=1 npm run test:compat`)
 * replayed against a real gateway, so a change that would break a client fails `npm test` without
 * the clients installed: every response keeps the fields (and types) the client got when it worked,
 * errors keep their code (and the exact unknown-method / missing-scope text clients match), and the
 * client still receives every kind of event it received.
 */
const CLIENTS = ["cli", "tui", "control-ui", "node-host"] as const;
const fixtures = new Map<string, Fixture>();
const fixture = (client: string): Fixture => {
  const f = fixtures.get(client) ?? loadFixture(client);
  fixtures.set(client, f);
  return f;
};

describe("recorded OpenClaw client sessions replayed against holdfast", () => {
  let mock: MockModelServer;
  let gw: GatewayProcess;
  let stateDir: string;
  let token: string;

  beforeAll(async () => {
    mock = await startMockModelServer({ script: echoScript });
    const origins = CLIENTS.flatMap((c) => (fixtureExists(c) ? [fixture(c)] : [])).flatMap((f) =>
      (f.connections ?? []).flatMap((c) => c.origin ?? []),
    );
    stateDir = await makeStateDir({
      ...mockModelConfig(mock.url),
      gateway: { controlUi: { allowedOrigins: [...new Set(origins)] } },
    });
    gw = await spawnGateway(stateDir, { timeoutMs: 30_000 });
    token = await gw.token();
  }, 60_000);

  afterAll(async () => {
    await gw?.stop();
    await mock?.close();
  });

  for (const client of ["cli", "tui", "control-ui"] as const) {
    it(`${client}: same responses and events as when the real client worked`, { timeout: 90_000 }, async () => {
      const recorded = fixture(client);
      const report = await replay(recorded, { url: gw.url, token });
      expect(report.mismatches).toEqual([]);
      expect(report.methods.length).toBeGreaterThan(2);
      const missing = [...recordedEvents(recorded)].filter((e) => !liveEvents(report).has(e));
      expect(missing).toEqual([]);
    });
  }

  it("reports a response that lost a field the client read, or a changed error", { timeout: 30_000 }, async () => {
    const [challenge, connect, hello] = fixture("cli").frames;
    const req = (id: string, method: string) => ({
      conn: 0,
      dir: "in" as const,
      t: 0,
      frame: { type: "req", id, method },
    });
    const res = (id: string, body: Record<string, unknown>) => ({
      conn: 0,
      dir: "out" as const,
      t: 0,
      frame: { type: "res", id, ...body },
    });
    const frames = [
      challenge,
      connect,
      hello,
      req("h", "health"),
      res("h", { ok: true, payload: { ok: true, gone: 1 } }),
    ];
    frames.push(
      req("u", "no.such"),
      res("u", { ok: false, error: { code: "INVALID_REQUEST", message: "unknown method: other" } }),
    );
    const report = await replay({ client: "probe", frames: frames as Fixture["frames"] }, { url: gw.url, token });
    expect(report.mismatches).toEqual([
      "conn 0 health: $.gone: missing",
      'conn 0 no.such: error "unknown method: other" → "unknown method: no.such"',
    ]);
  });

  it("docs/protocol.md lists exactly the methods the gateway advertises in hello-ok", { timeout: 30_000 }, async () => {
    const report = await replay({ client: "probe", frames: fixture("cli").frames.slice(0, 3) }, { url: gw.url, token });
    const hello = report.received.get(0)?.find((f) => f.type === "res")?.payload as { features: { methods: string[] } };
    const doc = readFileSync(path.join(REPO_ROOT, "docs/protocol.md"), "utf8");
    const table = doc.slice(doc.indexOf("## Implemented methods"), doc.indexOf("## Events"));
    const documented = table
      .split("\n")
      .filter((l) => l.startsWith("| `"))
      .flatMap((l) => [...(l.split("|")[1] ?? "").matchAll(/`([^`]+)`/g)].map((m) => m[1]));
    expect([...documented].sort()).toEqual([...hello.features.methods].sort());
  });

  it(
    "node-host: registered by its connect, reports acknowledged, invoked through node.invoke.request",
    {
      timeout: 90_000,
    },
    async () => {
      const runs: { code: number | null; stdout: string }[] = [];
      const report = await replay(fixture("node-host"), {
        url: gw.url,
        token,
        beforeClose: async () => {
          const list = await runCli(stateDir, ["nodes", "list", "--json"]);
          const nodes = (JSON.parse(list.stdout) as { nodes: { nodeId: string; displayName: string }[] }).nodes;
          const node = nodes.find((n) => n.displayName === "compat-node");
          expect(node, list.stdout).toBeDefined();
          // Shell wrappers are refused on the gateway before anything reaches the node.
          runs.push(await runCli(stateDir, ["nodes", "run", node?.nodeId as string, "--", "sh", "-c", "echo pwned"]));
          // Anything else waits for an operator: approved once, `uname` runs (its plan pinned to the real path).
          const run = runCli(stateDir, ["nodes", "run", node?.nodeId as string, "--", "uname"]);
          const approval = await nextApproval(stateDir);
          expect(approval.argv[0]).toMatch(/^\/.*\/uname$/);
          expect((await runCli(stateDir, ["approvals", "approve", approval.id])).code).toBe(0);
          runs.push(await run);
        },
      });
      expect(report.mismatches).toEqual([]);
      expect(report.methods).toEqual(expect.arrayContaining(["connect", "node.event", "node.pluginTools.update"]));
      expect(runs[0]?.code).not.toBe(0);
      expect(runs[1]).toMatchObject({ code: 0, stdout: "Linux\n" });
      const nodeFrames = report.received.get(0) ?? [];
      const invoked = nodeFrames.filter((f) => f.event === "node.invoke.request").map((f) => f.payload?.command);
      expect(invoked).toEqual(["system.run.prepare", "system.run.prepare", "system.run"]);
    },
  );
});

async function nextApproval(stateDir: string): Promise<{ id: string; argv: string[] }> {
  for (let i = 0; i < 80; i++) {
    const r = await runCli(stateDir, ["approvals", "list", "--json"]);
    const [first] = (JSON.parse(r.stdout) as { approvals: { id: string; argv: string[] }[] }).approvals;
    if (first) return first;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error("no approval request arrived");
}
