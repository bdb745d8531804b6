import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { ApprovalInput, ApprovalOutcome } from "../approvals/index.js";
import type { InvokeResult } from "./invoker.js";
import type { NodeEntry } from "./registry.js";
import { APPROVAL_REQUIRED, NODE_EXEC_POLICY_CAP, runOnNode, type NodeRunDeps } from "./system-run.js";

const node = (caps: string[] = ["system"], commands: string[] = ["system.run"]): NodeEntry => ({
  nodeId: "n1",
  displayName: "box",
  commands,
  caps,
  clientId: "node-host",
  connectedAt: 1,
  connId: "c1",
  send: () => undefined,
});

/** Fake invoker and approvals: records what was sent to the node and what was asked. */
function harness(opts: {
  decision?: ApprovalOutcome["decision"];
  allowlisted?: { pattern: string; args?: string[] }[];
  answer?: (params: Record<string, unknown>, n: number) => InvokeResult;
  config?: NodeRunDeps["config"];
}) {
  const sent: Record<string, unknown>[] = [];
  const commands: string[] = [];
  const asked: ApprovalInput[] = [];
  const deps: NodeRunDeps = {
    config: opts.config ?? {},
    invoker: {
      invoke: async (_t, command, params) => {
        commands.push(command);
        sent.push(params as Record<string, unknown>);
        return (opts.answer ?? (() => ({ ok: true, payload: { exitCode: 0, stdout: "ok\n" } })))(
          params as Record<string, unknown>,
          sent.length,
        );
      },
    },
    approvals: {
      request: async (input) => {
        asked.push(input);
        return { decision: opts.decision ?? "deny" };
      },
      allowlisted: async () => opts.allowlisted ?? [],
    },
  };
  return { deps, sent, asked, commands };
}

describe("system.run on a node the gateway gates (a reference node host)", () => {
  it("asks an approver before sending anything, then sends once with the decision", async () => {
    const h = harness({ decision: "allow-once" });
    const out = await runOnNode(h.deps, { node: node(), argv: ["uname", "-s"] });
    expect(h.asked).toHaveLength(1);
    expect(h.asked[0]).toMatchObject({ host: "node", argv: ["uname", "-s"], sessionKey: "node:n1", persistable: true });
    expect(h.sent).toEqual([{ command: ["uname", "-s"], approved: true, approvalDecision: "allow-once" }]);
    expect(out).toMatchObject({ exitCode: 0, approval: "allow-once" });
  });

  it("persists allow-always for this node only and runs an allowed-always argv without asking", async () => {
    const first = harness({ decision: "allow-always" });
    await runOnNode(first.deps, { node: node(), argv: ["uname"] });
    expect(first.asked[0]?.patterns).toEqual([{ pattern: "uname", args: [] }]);
    expect(first.asked[0]?.agentId).toBe("node:n1");
    const again = harness({ allowlisted: [{ pattern: "uname", args: [] }] });
    expect(await runOnNode(again.deps, { node: node(), argv: ["uname"] })).toMatchObject({ approval: "allowlisted" });
    expect(again.asked).toEqual([]);
    const other = harness({ allowlisted: [{ pattern: "uname", args: [] }] });
    await expect(runOnNode(other.deps, { node: node(), argv: ["uname", "-a"] })).rejects.toMatchObject({
      code: "HF_NODE_REFUSED",
      message: "not approved (deny)",
    });
    expect(other.sent).toEqual([]);
  });

  it("refuses shell and privilege wrappers outright and applies gateway.nodes.commands", async () => {
    const h = harness({ decision: "allow-once" });
    await expect(runOnNode(h.deps, { node: node(), argv: ["sh", "-c", "echo pwned"] })).rejects.toMatchObject({
      message: expect.stringContaining("cannot be approved"),
    });
    const denied = harness({ config: { gateway: { nodes: { commands: { deny: ["system.run"] } } } } as never });
    await expect(runOnNode(denied.deps, { node: node(), argv: ["true"] })).rejects.toMatchObject({
      message: "system.run is denied by gateway.nodes.commands.deny",
    });
    expect([...h.sent, ...h.asked, ...denied.sent]).toEqual([]);
  });

  it("never sends system.run unless the argv was allowed always or an approver allowed it (property)", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.constantFrom("uname", "sh", "bash", "sudo", "python3", "-c", "-a", "/bin/ls", "env", "x"), {
          minLength: 1,
          maxLength: 4,
        }),
        fc.constantFrom<ApprovalOutcome["decision"]>("allow-once", "allow-always", "deny", "expired", "aborted"),
        fc.boolean(),
        async (argv, decision, listed) => {
          const h = harness({
            decision,
            allowlisted: listed ? [{ pattern: argv[0] as string, args: argv.slice(1) }] : [],
          });
          await runOnNode(h.deps, { node: node(), argv }).catch(() => undefined);
          for (const s of h.sent) expect(s.approved).toBe(true);
          if (h.sent.length > 0)
            expect(h.asked.length === 0 ? listed : ["allow-once", "allow-always"].includes(decision)).toBe(true);
          expect(h.sent.length).toBeLessThanOrEqual(1);
          if (["sh", "bash", "sudo"].includes(argv[0] as string)) expect(h.sent).toEqual([]);
        },
      ),
    );
  });
});

describe("system.run on a reference node host that prepares a plan (system.run.prepare)", () => {
  const preparing = node(["system"], ["system.run", "system.run.prepare"]);
  const plan = {
    argv: ["/usr/bin/uname", "-s"],
    cwd: "/home/node",
    commandText: "/usr/bin/uname -s",
    agentId: null,
    sessionKey: null,
    policySnapshot: { v: 1 },
  };
  const answer =
    (p: Record<string, unknown>) =>
    (_params: Record<string, unknown>, n: number): InvokeResult =>
      n === 1 ? { ok: true, payload: { plan: p } } : { ok: true, payload: { exitCode: 0, stdout: "Linux\n" } };

  it("asks the approver about the plan and runs exactly that plan, approved once", async () => {
    const h = harness({ decision: "allow-always", answer: answer(plan) });
    expect(await runOnNode(h.deps, { node: preparing, argv: ["uname", "-s"] })).toMatchObject({
      stdout: "Linux\n",
      approval: "allow-always",
    });
    expect(h.commands).toEqual(["system.run.prepare", "system.run"]);
    expect(h.sent[0]).toEqual({ command: ["uname", "-s"] });
    expect(h.asked[0]).toMatchObject({
      argv: ["/usr/bin/uname", "-s"],
      command: "/usr/bin/uname -s",
      cwd: "/home/node",
      patterns: [{ pattern: "/usr/bin/uname", args: ["-s"] }],
    });
    expect(h.sent[1]).toEqual({
      command: ["/usr/bin/uname", "-s"],
      rawCommand: "/usr/bin/uname -s",
      cwd: "/home/node",
      systemRunPlan: plan,
      approved: true,
      approvalDecision: "allow-once",
    });
    const again = harness({ answer: answer(plan), allowlisted: [{ pattern: "/usr/bin/uname", args: ["-s"] }] });
    expect(await runOnNode(again.deps, { node: preparing, argv: ["uname", "-s"] })).toMatchObject({
      approval: "allowlisted",
    });
    expect(again.asked).toEqual([]);
  });

  it("refuses a plan that runs other arguments, or a wrapper the plan reveals, and sends nothing else", async () => {
    for (const p of [
      { ...plan, argv: ["/usr/bin/uname", "-a"] },
      { ...plan, argv: ["/usr/bin/dash", "-s"] },
      { ...plan, argv: ["relative/uname", "-s"] },
      { nope: true },
    ]) {
      const h = harness({ decision: "allow-once", answer: answer(p as typeof plan) });
      await expect(runOnNode(h.deps, { node: preparing, argv: ["uname", "-s"] })).rejects.toMatchObject({
        code: "HF_NODE_REFUSED",
      });
      expect(h.commands).toEqual(["system.run.prepare"]);
      expect(h.asked).toEqual([]);
    }
  });
});

describe("system.run.prepare plans (property)", () => {
  it("a plan that changes the arguments asked for is refused, with no approval asked and no system.run sent", async () => {
    const arg = fc.stringMatching(/^[a-z-]{1,6}$/);
    await fc.assert(
      fc.asyncProperty(fc.array(arg, { maxLength: 3 }), fc.array(arg, { maxLength: 3 }), async (asked, planned) => {
        fc.pre(JSON.stringify(asked) !== JSON.stringify(planned));
        const plan = { argv: ["/usr/bin/uname", ...planned], cwd: "/", commandText: "uname" };
        const h = harness({
          decision: "allow-once",
          answer: (_p, n) => (n === 1 ? { ok: true, payload: { plan } } : { ok: true, payload: { exitCode: 0 } }),
        });
        const node_ = node(["system"], ["system.run", "system.run.prepare"]);
        await expect(runOnNode(h.deps, { node: node_, argv: ["uname", ...asked] })).rejects.toMatchObject({
          code: "HF_NODE_REFUSED",
        });
        expect(h.commands).toEqual(["system.run.prepare"]);
        expect(h.asked).toEqual([]);
      }),
      { numRuns: 100 },
    );
  });
});

describe("system.run on a node that enforces its own allowlist (holdfast's node host)", () => {
  it("runs what the node allows, and asks only when the node says approval is required", async () => {
    const allowed = harness({});
    expect(await runOnNode(allowed.deps, { node: node(["system", NODE_EXEC_POLICY_CAP]), argv: ["ls"] })).toMatchObject(
      {
        exitCode: 0,
      },
    );
    expect(allowed.sent).toEqual([{ command: ["ls"] }]);
    const miss = harness({
      decision: "allow-once",
      answer: (_p, n) =>
        n === 1
          ? {
              ok: false,
              error: { ...APPROVAL_REQUIRED, details: { reason: "not in tools.exec.allowlist", persistable: false } },
            }
          : { ok: true, payload: { exitCode: 0, approval: "allow-once" } },
    });
    await runOnNode(miss.deps, { node: node(["system", NODE_EXEC_POLICY_CAP]), argv: ["echo", "hi"] });
    expect(miss.asked[0]).toMatchObject({ reason: "not in tools.exec.allowlist", persistable: false, patterns: [] });
    expect(miss.sent).toEqual([
      { command: ["echo", "hi"] },
      { command: ["echo", "hi"], approved: true, approvalDecision: "allow-once" },
    ]);
  });
});
