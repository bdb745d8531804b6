import { spawn, type ChildProcess } from "node:child_process";
import { stat, readFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GatewayClient } from "../../src/client/index.js";
import {
  cleanEnv,
  makeStateDir,
  REPO_ROOT,
  runCli,
  spawnGateway,
  type GatewayProcess,
} from "../support/gateway-process.js";

interface Approval {
  id: string;
  argv: string[];
  host: string;
}

describe("nodes pipeline: nodes.run needs the node's allowlist or an approval", () => {
  let gwState: string;
  let nodeState: string;
  let gw: GatewayProcess;
  let node: ChildProcess;
  let nodeOut = "";
  let op: GatewayClient;
  let nodeId: string;
  const approvals: Approval[] = [];

  beforeAll(async () => {
    gwState = await makeStateDir({ tools: { exec: { approvalTimeoutMs: 2_000 } } });
    gw = await spawnGateway(gwState);
    nodeState = await makeStateDir();
    node = spawn(
      process.execPath,
      [path.join(REPO_ROOT, "bin/holdfast.mjs"), "node", "run", "--gateway", gw.url, "--name", "build-box"],
      {
        env: cleanEnv(nodeState, { HOLDFAST_GATEWAY_TOKEN: await gw.token() }),
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`node host did not register:\n${nodeOut}`)), 15_000);
      const onData = (b: Buffer) => {
        nodeOut += b.toString();
        if (nodeOut.includes("registered with the gateway")) {
          clearTimeout(timer);
          resolve();
        }
      };
      node.stdout?.on("data", onData);
      node.stderr?.on("data", onData);
    });
    op = await GatewayClient.connect({
      url: gw.url,
      token: await gw.token(),
      scopes: ["operator.read", "operator.admin", "operator.approvals"],
    });
    op.on("event", (name: string, p: Approval) => {
      if (name === "exec.approval.requested") approvals.push(p);
    });
  });

  afterAll(async () => {
    op?.close();
    node?.kill("SIGTERM");
    await gw?.stop();
  });

  const nextApproval = async (count: number): Promise<Approval> => {
    for (let i = 0; i < 100 && approvals.length < count; i++) await new Promise((r) => setTimeout(r, 50));
    const a = approvals[count - 1];
    if (!a) throw new Error("no approval request arrived");
    return a;
  };

  it("lists the paired node with the command it offers", async () => {
    const { nodes } = (await op.request("nodes.list")) as {
      nodes: { nodeId: string; displayName: string; commands: string[] }[];
    };
    expect(nodes).toHaveLength(1);
    expect(nodes[0]).toMatchObject({ displayName: "build-box", commands: ["system.run"] });
    nodeId = nodes[0]?.nodeId as string;
    expect(nodeId).toMatch(/^[0-9a-f]{64}$/);
    const token = await readFile(path.join(nodeState, "node", "device-token"), "utf8");
    expect(token.trim()).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect((await stat(path.join(nodeState, "node", "identity.json"))).mode & 0o777).toBe(0o600);
  });

  it("waits for an approval, runs after `holdfast approvals approve`, and the approval is single-use", async () => {
    const run = op.request("nodes.run", { nodeId, argv: ["echo", "hello node"] });
    const a = await nextApproval(1);
    expect(a).toMatchObject({ host: "node", argv: ["echo", "hello node"] });
    const approve = await runCli(gwState, ["approvals", "approve", a.id]);
    expect(approve.code).toBe(0);
    expect(await run).toMatchObject({ nodeId, exitCode: 0, stdout: "hello node\n", approval: "allow-once" });
    const replay = await runCli(gwState, ["approvals", "approve", a.id]);
    expect(replay.code).toBe(1);
  });

  it("refuses shell wrappers outright, with no approval asked", async () => {
    const before = approvals.length;
    await expect(op.request("nodes.run", { nodeId, argv: ["sh", "-c", "echo pwned"] })).rejects.toMatchObject({
      wireCode: "FORBIDDEN",
      message: expect.stringContaining("cannot be approved"),
    });
    expect(approvals.length).toBe(before);
  });

  it("persists allow-always on the node, so the same argv then runs without asking", async () => {
    const first = op.request("nodes.run", { nodeId, argv: ["echo", "again"] });
    const a = await nextApproval(2);
    expect((await runCli(gwState, ["approvals", "approve", a.id, "--always"])).code).toBe(0);
    expect(await first).toMatchObject({ stdout: "again\n", approval: "allow-always" });
    const before = approvals.length;
    expect(await op.request("nodes.run", { nodeId, argv: ["echo", "again"] })).toMatchObject({
      stdout: "again\n",
      approval: "allowlisted",
    });
    expect(approvals.length).toBe(before);
    const file = path.join(nodeState, "node", "exec-approvals.json");
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(await readFile(file, "utf8")).toContain('"again"');
    await expect(stat(path.join(gwState, "exec-approvals.json"))).rejects.toThrow();
  });

  it("treats an expired approval as a denial", async () => {
    await expect(op.request("nodes.run", { nodeId, argv: ["echo", "too late"] })).rejects.toMatchObject({
      wireCode: "FORBIDDEN",
      message: expect.stringContaining("expired"),
    });
  });

  it("requires operator.admin for nodes.run", async () => {
    const writer = await GatewayClient.connect({
      url: gw.url,
      token: await gw.token(),
      scopes: ["operator.read", "operator.write"],
    });
    try {
      await expect(writer.request("nodes.run", { nodeId, argv: ["echo", "x"] })).rejects.toMatchObject({
        wireCode: "FORBIDDEN",
        wireDetails: expect.objectContaining({ missingScope: "operator.admin" }),
      });
    } finally {
      writer.close();
    }
  });

  it("lists and runs through the operator CLI", async () => {
    const list = await runCli(gwState, ["nodes", "list", "--json"]);
    expect(JSON.parse(list.stdout).nodes[0].nodeId).toBe(nodeId);
    const run = await runCli(gwState, ["nodes", "run", nodeId, "echo", "again"]);
    expect(run).toMatchObject({ code: 0, stdout: "again\n" });
  });
});
