import { spawn } from "node:child_process";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cleanEnv, REPO_ROOT, runCli } from "../support/gateway-process.js";
import {
  makeClientHome,
  openclaw,
  remoteClientConfig,
  startOpenclaw,
  type ClientHome,
  type ClientProcess,
} from "./support/clients.js";
import { saveFrames, sentMethods, startCompatEnv, type CompatEnv } from "./support/compat-env.js";

interface PendingApproval {
  id: string;
  argv: string[];
  host: string;
}

/** `holdfast nodes run <id> <argv...>` in the background (it waits for the approval). */
function holdfastNodesRun(stateDir: string, nodeId: string, argv: string[]) {
  const proc = spawn(
    process.execPath,
    [path.join(REPO_ROOT, "bin/holdfast.mjs"), "nodes", "run", nodeId, "--", ...argv],
    {
      env: cleanEnv(stateDir),
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  let stdout = "";
  let stderr = "";
  proc.stdout.on("data", (b: Buffer) => (stdout += b.toString()));
  proc.stderr.on("data", (b: Buffer) => (stderr += b.toString()));
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) =>
    proc.on("exit", (code) => resolve({ code, stdout, stderr })),
  );
}

async function nextApproval(stateDir: string, seen: Set<string>): Promise<PendingApproval> {
  for (let i = 0; i < 120; i++) {
    const r = await runCli(stateDir, ["approvals", "list", "--json"]);
    const list = (JSON.parse(r.stdout) as { approvals: PendingApproval[] }).approvals;
    const fresh = list.find((a) => !seen.has(a.id));
    if (fresh) {
      seen.add(fresh.id);
      return fresh;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error("no approval request arrived");
}

describe("openclaw node run (headless node host) against holdfast", () => {
  let env: CompatEnv;
  let nodeHome: ClientHome;
  let cliHome: ClientHome;
  let node: ClientProcess;
  let nodeId: string;
  const seen = new Set<string>();

  beforeAll(async () => {
    env = await startCompatEnv({ config: { tools: { exec: { approvalTimeoutMs: 20_000 } } } });
    nodeHome = await makeClientHome("node");
    cliHome = await makeClientHome("node-cli");
    await cliHome.writeConfig(remoteClientConfig(env.recorder.url, env.token));
    node = startOpenclaw(
      env.clients,
      nodeHome,
      ["node", "run", "--host", "127.0.0.1", "--port", String(env.recorder.port), "--display-name", "compat-node"],
      { env: { OPENCLAW_GATEWAY_TOKEN: env.token } },
    );
    await node.waitFor(/node host gateway connected/, 60_000);
  });

  afterAll(async () => {
    await node?.stop();
    await saveFrames("node-host", env?.recorder, [env?.token]);
    await env?.stop();
  });

  it("is registered from its connect (no node.register) and its reports are acknowledged", async () => {
    await expect.poll(() => sentMethods(env.recorder.frames), { timeout: 30_000 }).toContain("node.pluginTools.update");
    expect(sentMethods(env.recorder.frames)).not.toContain("node.register");
    expect(node.output()).not.toMatch(/publish failed|unknown method/);
    const r = await runCli(env.stateDir, ["nodes", "list", "--json"]);
    const nodes = (JSON.parse(r.stdout) as { nodes: { nodeId: string; displayName: string; commands: string[] }[] })
      .nodes;
    expect(nodes).toHaveLength(1);
    expect(nodes[0]).toMatchObject({ displayName: "compat-node" });
    expect(nodes[0]?.commands).toContain("system.run");
    nodeId = nodes[0]?.nodeId as string;
  });

  it("openclaw nodes list shows it as paired and connected", async () => {
    const r = await openclaw(env.clients, cliHome, ["nodes", "list", "--json"], { timeoutMs: 90_000 });
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as { pending: unknown[]; paired: { nodeId: string; displayName: string }[] };
    expect(out.paired.map((n) => n.nodeId)).toEqual([nodeId]);
    expect(out.paired[0]?.displayName).toBe("compat-node");
  });

  it("holdfast nodes run waits for an approval, runs through node.invoke.request, and the approval is single-use", async () => {
    const run = holdfastNodesRun(env.stateDir, nodeId, ["uname"]);
    const a = await nextApproval(env.stateDir, seen);
    // The approver sees the node's plan: the program pinned to the real path it will run.
    expect(a).toMatchObject({ host: "node", argv: [expect.stringMatching(/^\/.*\/uname$/)] });
    expect((await runCli(env.stateDir, ["approvals", "approve", a.id])).code).toBe(0);
    const done = await run;
    expect(done.code, done.stderr).toBe(0);
    expect(done.stdout).toBe("Linux\n");
    expect((await runCli(env.stateDir, ["approvals", "approve", a.id])).code).toBe(1);
    const invoke = env.recorder.frames.find(
      (f) => f.dir === "out" && (f.frame as { event?: string }).event === "node.invoke.request",
    )?.frame as { payload: { id: string; nodeId: string; command: string; paramsJSON: string } };
    expect(invoke.payload).toMatchObject({ nodeId, command: "system.run.prepare" });
    expect(JSON.parse(invoke.payload.paramsJSON)).toMatchObject({ command: ["uname"] });

    const again = holdfastNodesRun(env.stateDir, nodeId, ["uname"]);
    const b = await nextApproval(env.stateDir, seen);
    expect((await runCli(env.stateDir, ["approvals", "deny", b.id])).code).toBe(0);
    expect((await again).code).not.toBe(0);
  });

  it("allow-always on the gateway: the same command runs again without asking, another one still asks", async () => {
    const first = holdfastNodesRun(env.stateDir, nodeId, ["uname", "-s"]);
    const a = await nextApproval(env.stateDir, seen);
    expect((await runCli(env.stateDir, ["approvals", "approve", a.id, "--always"])).code).toBe(0);
    const f = await first;
    expect(f.code, f.stderr).toBe(0);
    expect(f.stdout).toBe("Linux\n");
    const again = await runCli(env.stateDir, ["nodes", "run", nodeId, "--json", "--", "uname", "-s"]);
    expect(again.code, again.stderr).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({ approval: "allowlisted", stdout: "Linux\n" });
    const other = holdfastNodesRun(env.stateDir, nodeId, ["uname", "-m"]);
    const b = await nextApproval(env.stateDir, seen);
    expect(b.argv.slice(1)).toEqual(["-m"]);
    expect((await runCli(env.stateDir, ["approvals", "deny", b.id])).code).toBe(0);
    expect((await other).code).not.toBe(0);
  });

  it("refuses shell wrappers outright, with no approval asked", async () => {
    const r = await runCli(env.stateDir, ["nodes", "run", nodeId, "--", "sh", "-c", "echo pwned"]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/cannot be approved/);
    const list = await runCli(env.stateDir, ["approvals", "list", "--json"]);
    expect((JSON.parse(list.stdout) as { approvals: unknown[] }).approvals).toEqual([]);
  });
});
