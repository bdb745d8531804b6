import { readdir, readFile, stat } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GatewayClient } from "../../src/client/index.js";
import { nextApproval, sendAndWait } from "../support/chat.js";
import {
  makeStateDir,
  mockModelConfig,
  runCli,
  spawnGateway,
  type GatewayProcess,
} from "../support/gateway-process.js";
import { startMockModelServer, type MockModelServer } from "../support/mock-model-server.js";

const mode = async (p: string) => (await stat(p)).mode & 0o777;

/** A config with the mock model, holdfast's sandbox defaults (non-main, session, none; bubblewrap) and a tool policy. */
function config(mockUrl: string, exec: Record<string, unknown>): Record<string, unknown> {
  const base = mockModelConfig(mockUrl) as { agents: { defaults: Record<string, unknown> } };
  return {
    ...base,
    agents: { defaults: { ...base.agents.defaults, sandbox: { backend: "bubblewrap" } } },
    tools: { deny: ["web_fetch"], exec },
  };
}

describe("tools end to end: sandboxed group session, tool policy, exec approvals", () => {
  let mock: MockModelServer;
  let stateDir: string;
  let gw: GatewayProcess;
  let client: GatewayClient;
  let approver: GatewayClient;

  beforeAll(async () => {
    mock = await startMockModelServer();
    stateDir = await makeStateDir(config(mock.url, { allowlist: ["uname"], approvalTimeoutMs: 60_000 }));
    gw = await spawnGateway(stateDir);
    client = await GatewayClient.connect({ url: gw.url, token: await gw.token() });
    approver = await GatewayClient.connect({
      url: gw.url,
      token: await gw.token(),
      scopes: ["operator.read", "operator.approvals"],
    });
  });

  afterAll(async () => {
    client?.close();
    approver?.close();
    await gw?.stop();
    await mock?.close();
  });

  it("runs a non-main (group) session's exec inside the bubblewrap sandbox", async () => {
    const before = mock.requests.length;
    const res = await sendAndWait(client, "agent:main:telegram:group:1", "exec uname -n");
    expect(res.state).toBe("final");
    expect(res.text).toContain("[sandbox] exit code 0");
    expect(res.text).toContain("holdfast-sandbox");
    const offered = mock.requests[before]?.tools ?? [];
    expect(offered).toEqual(expect.arrayContaining(["exec", "read", "write"]));
    expect(offered).not.toContain("web_fetch");
    expect(offered).not.toContain("memory_search");
    const sandboxes = path.join(stateDir, "sandboxes");
    expect(await mode(sandboxes)).toBe(0o700);
    const dirs = (await readdir(sandboxes)).filter((d) => d.startsWith("session-main-telegram_group_1-"));
    expect(dirs).toHaveLength(1);
    expect(await mode(path.join(sandboxes, dirs[0] as string))).toBe(0o700);
  });

  it("refuses a denied tool: it is not offered, and a call to it is never executed", async () => {
    const before = mock.requests.length;
    const res = await sendAndWait(client, "main", 'tool web_fetch {"url":"http://127.0.0.1:9/"}');
    expect(res.text).toBe('Tool web_fetch returned: Tool "web_fetch" is not available.');
    expect(mock.requests[before]?.tools).not.toContain("web_fetch");
  });

  it("holds an on-miss exec until `holdfast approvals approve` lets it run", async () => {
    const requested = nextApproval(approver);
    const reply = sendAndWait(client, "main", "exec echo approved-run", 30_000);
    const req = await requested;
    expect(req).toMatchObject({
      argv: ["echo", "approved-run"],
      host: "host",
      sessionKey: "agent:main:main",
      agentId: "main",
    });
    const list = await runCli(stateDir, ["approvals", "list"]);
    expect(list.code).toBe(0);
    expect(list.stdout).toContain(`${req.id}  echo approved-run`);
    const ok = await runCli(stateDir, ["approvals", "approve", req.id]);
    expect(ok.stdout).toContain(`approved ${req.id} (allow-once)`);
    const res = await reply;
    expect(res.text).toContain("exit code 0");
    expect(res.text).toContain("approved-run");
    const again = await runCli(stateDir, ["approvals", "approve", req.id]);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain(`no pending exec approval "${req.id}"`);
  });

  it("persists `--always` as an exact argv pattern (600) and runs it again without asking", async () => {
    const requested = nextApproval(approver);
    const reply = sendAndWait(client, "main", "exec echo always-run", 30_000);
    const req = await requested;
    expect((await runCli(stateDir, ["approvals", "approve", req.id, "--always"])).code).toBe(0);
    expect((await reply).text).toContain("always-run");
    const file = path.join(stateDir, "exec-approvals.json");
    expect(await mode(file)).toBe(0o600);
    const saved = JSON.parse(await readFile(file, "utf8")) as {
      agents: { main: { allowlist: { pattern: string; args: string[] }[] } };
    };
    expect(saved.agents.main.allowlist).toEqual([
      expect.objectContaining({
        pattern: expect.stringMatching(/\/echo$/),
        args: ["always-run"],
        source: "allow-always",
      }),
    ]);
    let asked = false;
    const watch = (name: string) => (asked ||= name === "exec.approval.requested");
    approver.on("event", watch);
    const second = await sendAndWait(client, "main", "exec echo always-run");
    approver.off("event", watch);
    expect(second.text).toContain("always-run");
    expect(asked).toBe(false);
    const different = nextApproval(approver);
    const pending = sendAndWait(client, "main", "exec echo always-run --and-more", 30_000);
    const other = await different;
    expect((await runCli(stateDir, ["approvals", "deny", other.id])).code).toBe(0);
    expect((await pending).text).toContain("exec was not approved: it was denied");
  });

  it("lets an owner approve from chat with /approve <id>", async () => {
    const requested = nextApproval(approver);
    const reply = sendAndWait(client, "agent:main:work", "exec echo chat-approved", 30_000);
    const req = await requested;
    expect(req.host).toBe("sandbox");
    // `/approve` stands for exec.approval.resolve: the sender needs operator.approvals, like the method.
    const owner = await GatewayClient.connect({
      url: gw.url,
      token: await gw.token(),
      scopes: ["operator.read", "operator.write", "operator.approvals"],
    });
    const cmd = await sendAndWait(owner, "main", `/approve ${req.id}`);
    owner.close();
    expect(cmd.text).toContain("Approved once");
    expect((await reply).text).toContain("chat-approved");
  });

  it("refuses shell wrappers outright and writes one redacted audit line per exec", async () => {
    const res = await sendAndWait(client, "main", "exec bash -lc 'echo hi'");
    expect(res.text).toContain("exec refused (exec_wrapper_refused)");
    const log = await readFile(path.join(stateDir, "logs", "holdfast.log"), "utf8");
    const audits = log
      .split("\n")
      .filter((l) => l.includes('"audit":"exec"'))
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(audits.map((a) => a.decision)).toEqual(["ran", "ran", "ran", "ran", "denied", "ran", "refused"]);
    expect(audits[0]).toMatchObject({
      where: "sandbox",
      command: "uname -n",
      exitCode: 0,
      sessionKey: "agent:main:telegram:group:1",
    });
    expect(audits.every((a) => typeof a.durationMs === "number" && typeof a.cwd === "string")).toBe(true);
    expect(log).not.toContain("mock-key-not-secret");
  });
});

describe("exec approval expiry", () => {
  it("denies an on-miss exec when nobody approves in time", async () => {
    const mock = await startMockModelServer();
    const stateDir = await makeStateDir(config(mock.url, { approvalTimeoutMs: 1000 }));
    const gw = await spawnGateway(stateDir);
    try {
      const client = await GatewayClient.connect({ url: gw.url, token: await gw.token() });
      const res = await sendAndWait(client, "main", "exec echo never-runs");
      expect(res.text).toContain("exec was not approved: the approval request expired");
      expect(res.text).not.toContain("exit code");
      client.close();
    } finally {
      await gw.stop();
      await mock.close();
    }
  });
});

describe("tool policy config errors at start", () => {
  it("refuses an unknown tool name, naming its key path, with exit code 78", async () => {
    const stateDir = await makeStateDir({
      tools: { deny: ["exec", "brwoser"] },
      agents: { list: [{ id: "main", tools: { allow: ["raed"] } }] },
    });
    const res = await runCli(stateDir, ["gateway", "--port", "0"]);
    expect(res.code).toBe(78);
    expect(res.stderr).toContain('tools.deny.1: unknown tool "brwoser"');
    expect(res.stderr).toContain('agents.list.0.tools.allow.0: unknown tool "raed"');
  });
});
