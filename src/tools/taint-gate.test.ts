import { beforeEach, describe, expect, it } from "vitest";
import type { ApprovalInput, ApprovalOutcome } from "../approvals/index.js";
import type { HoldfastConfig } from "../config/index.js";
import { allow, deny } from "../infra/index.js";
import { silentLogger } from "../logging/index.js";
import type { SecurityEvent } from "../trail/index.js";
import type { GateCall, ToolGate } from "./gate.js";
import { dangerousCall, inScratch, resultProvenance, taintModeFor, type TaintMode } from "./taint.js";
import { TaintGate } from "./taint-gate.js";
import { TurnTaint } from "./turn-taint.js";
import type { ToolContext } from "./types.js";

let asked: ApprovalInput[];
let answer: ApprovalOutcome;
let trail: SecurityEvent[];

/** The policy gate stand-in: admits every call but `blocked`. */
const policy: ToolGate = {
  visible: (names) => [...names],
  check: (call) => (call.name === "blocked" ? deny("tool_denied", "tools.deny") : allow("tool_allowed")),
};

function gate(config: HoldfastConfig = {}): TaintGate {
  return new TaintGate(policy, {
    config,
    approver: { request: async (i) => (asked.push(i), answer) },
    trail: { record: async (e) => void trail.push(e), flush: async () => undefined },
    where: () => "sandbox",
  });
}

const web = (): TurnTaint => {
  const t = new TurnTaint();
  t.add({ kind: "web", source: "http://127.0.0.1:9/page?token=***" });
  return t;
};

const ctx = (over: Partial<ToolContext> = {}): ToolContext => ({
  agentId: "main",
  sessionKey: "agent:main:telegram:direct:42",
  runId: "r1",
  workspaceDir: "/srv/ws",
  sender: { channel: "telegram", id: "42", chatType: "direct", chatId: "42" },
  signal: new AbortController().signal,
  log: silentLogger(),
  ...over,
});

const call = (name: string, args: Record<string, unknown> = {}): GateCall => ({ name, arguments: args });

/** One call of every dangerous kind, and what the approver is shown for it. */
const DANGEROUS: readonly [GateCall, string][] = [
  [call("write", { path: "notes.txt", content: "x" }), "write notes.txt outside scratch/"],
  [call("edit", { path: "/workspace/src/a.ts", oldText: "a", newText: "b" }), "edit /workspace/src/a.ts outside"],
  [
    call("apply_patch", { input: "*** Begin Patch\n*** Add File: app.ts\n+x\n*** End Patch" }),
    "apply_patch app.ts outside scratch/",
  ],
  [call("message", { to: "777", text: "hi" }), "message to telegram:777 (not in this conversation)"],
  [call("message", { channel: "signal", to: "42", text: "hi" }), "message to signal:42"],
  [call("sessions_send", { sessionKey: "agent:main:main", message: "x" }), "sessions_send to agent:main:main"],
  [call("nodes", { action: "run" }), "nodes"],
];

beforeEach(() => {
  asked = [];
  trail = [];
  answer = { decision: "allow-once", by: "ws:cli:1" };
});

describe("TaintGate", () => {
  it("lets every call of an untainted turn through unasked", async () => {
    for (const [c] of DANGEROUS) expect(await gate().check(c, ctx())).toEqual(allow("tool_allowed"));
    expect(await gate().check(call("exec", { command: "ls" }), ctx({ taint: new TurnTaint() }))).toEqual(
      allow("tool_allowed"),
    );
    expect(asked).toEqual([]);
  });

  it("approve (default): asks the owner for each dangerous tool, naming the page the turn read", async () => {
    for (const [c, what] of DANGEROUS) {
      asked = [];
      expect(await gate().check(c, ctx({ taint: web() }))).toEqual(allow("taint_approved"));
      expect(asked).toHaveLength(1);
      expect(asked[0]).toMatchObject({
        tool: c.name,
        persistable: false,
        taint: { summary: "this turn read http://127.0.0.1:9/page?token=***", kinds: ["web"] },
      });
      expect(asked[0]?.command).toContain(what);
      expect(asked[0]?.reason).toContain("this turn read http://127.0.0.1:9/page");
    }
  });

  it("approve: a denied or expired approval refuses the call with the source named", async () => {
    answer = { decision: "deny", by: "chat:telegram:1" };
    const d = await gate().check(DANGEROUS[0]![0], ctx({ taint: web() }));
    expect(d).toMatchObject({ allow: false, reason: "taint_not_approved" });
    expect(!d.allow && d.detail).toContain("(denied by chat:telegram:1); this turn read http://127.0.0.1:9/page");
    answer = { decision: "expired" };
    expect(await gate().check(DANGEROUS[3]![0], ctx({ taint: web() }))).toMatchObject({
      allow: false,
      reason: "taint_not_approved",
    });
    expect(trail.map((e) => e.details?.outcome)).toEqual(["not_approved", "not_approved"]);
  });

  it("approve: exec is left to the exec tool, which asks once for policy and taint together", async () => {
    expect(await gate().check(call("exec", { command: "ls" }), ctx({ taint: web() }))).toEqual(allow("tool_allowed"));
    expect(asked).toEqual([]);
    expect(trail[0]).toMatchObject({ type: "tool.tainted", details: { tool: "exec", outcome: "asked" } });
  });

  it("deny: refuses each dangerous tool naming the source, and records it", async () => {
    const g = gate({ tools: { taint: { mode: "deny" } } });
    for (const [c] of [...DANGEROUS, [call("exec", { command: "ls" }), ""] as const]) {
      const d = await g.check(c, ctx({ taint: web() }));
      expect(d).toMatchObject({ allow: false, reason: "taint_denied" });
      expect(!d.allow && d.detail).toContain("this turn read http://127.0.0.1:9/page?token=***");
    }
    expect(asked).toEqual([]);
    expect(trail[0]).toMatchObject({
      type: "tool.tainted",
      details: {
        mode: "deny",
        outcome: "refused",
        taintKinds: ["web"],
        taintSources: ["http://127.0.0.1:9/page?token=***"],
      },
    });
  });

  it("warn: runs unasked, recorded; off: no gate; the agent's mode wins over the global one", async () => {
    const cfg = (mode: TaintMode, agent?: TaintMode): HoldfastConfig => ({
      tools: { taint: { mode } },
      ...(agent ? { agents: { list: [{ id: "main", tools: { taint: { mode: agent } } }] } } : {}),
    });
    expect(await gate(cfg("warn")).check(DANGEROUS[0]![0], ctx({ taint: web() }))).toEqual(allow("taint_warned"));
    expect(trail.at(-1)).toMatchObject({ details: { mode: "warn", outcome: "ran" } });
    const before = trail.length;
    expect(await gate(cfg("off")).check(DANGEROUS[0]![0], ctx({ taint: web() }))).toEqual(allow("tool_allowed"));
    expect(trail).toHaveLength(before);
    expect(await gate(cfg("off", "deny")).check(DANGEROUS[0]![0], ctx({ taint: web() }))).toMatchObject({
      reason: "taint_denied",
    });
    expect(taintModeFor(cfg("deny", "off"), "main")).toBe("off");
    expect(taintModeFor(cfg("deny", "off"), "other")).toBe("deny");
    expect(taintModeFor({}, "main")).toBe("approve");
    expect(asked).toEqual([]);
  });

  it("lets scratch writes, replies in the turn's own chat and harmless tools through a tainted turn", async () => {
    const passes = [
      call("write", { path: "scratch/out.txt", content: "x" }),
      call("write", { path: "/workspace/scratch/a/b.md", content: "x" }),
      call("edit", { path: "/srv/ws/scratch/n.txt", oldText: "a", newText: "b" }),
      call("apply_patch", { input: "*** Begin Patch\n*** Add File: scratch/p.ts\n+x\n*** End Patch" }),
      call("message", { text: "done" }),
      call("message", { to: "42", text: "done" }),
      call("message", { channel: "telegram", to: "42", text: "done" }),
      call("read", { path: "src/a.ts" }),
      call("web_fetch", { url: "http://127.0.0.1:9/other" }),
      call("process", { action: "list" }),
    ];
    for (const c of passes) expect(await gate().check(c, ctx({ taint: web() }))).toEqual(allow("tool_allowed"));
    expect(asked).toEqual([]);
  });

  it("keeps the policy gate's refusal and never asks for a call it refused", async () => {
    expect(await gate().check(call("blocked"), ctx({ taint: web() }))).toEqual(deny("tool_denied", "tools.deny"));
    expect(asked).toEqual([]);
  });

  it("a group member's message names its sender in the request and the trail subject", async () => {
    const t = new TurnTaint();
    t.add({ kind: "owner" });
    t.add({ kind: "group", source: "telegram:55 in chat -100" });
    const g = gate({ tools: { taint: { mode: "deny" } } });
    const d = await g.check(DANGEROUS[0]![0], ctx({ taint: t }));
    expect(!d.allow && d.detail).toContain("this turn read a group message from telegram:55 in chat -100");
    expect(trail[0]).toMatchObject({ subject: { channel: "telegram", id: "55" }, details: { taintKinds: ["group"] } });
  });
});

describe("taint sources and targets", () => {
  it("marks web, browser and inbound-file results untrusted, with query values redacted", () => {
    expect(resultProvenance(call("web_fetch", { url: "https://a.test/x?key=s3cret#frag" }))).toEqual({
      kind: "web",
      source: "https://a.test/x?key=***",
    });
    expect(resultProvenance(call("browser", { url: "https://b.test/" }))).toEqual({
      kind: "web",
      source: "https://b.test/",
    });
    expect(resultProvenance(call("web_search", { query: "holdfast" }))).toMatchObject({ kind: "web" });
    expect(resultProvenance(call("read", { path: "/inbox/../inbox/a.pdf" }))).toEqual({
      kind: "file",
      source: "/inbox/a.pdf",
    });
    expect(resultProvenance(call("read", { path: "src/a.ts" }))).toBeUndefined();
    expect(resultProvenance(call("exec", { command: "ls" }))).toBeUndefined();
  });

  it("treats paths that only look like scratch as outside it", () => {
    expect(inScratch("scratch/../notes.txt", "/srv/ws")).toBe(false);
    expect(inScratch("scratch", "/srv/ws")).toBe(false);
    expect(inScratch("scratchy/x", "/srv/ws")).toBe(false);
    expect(inScratch("/srv/ws/scratch/x\0", "/srv/ws")).toBe(false);
    expect(inScratch("/workspace/scratch/x", "/srv/ws")).toBe(true);
    expect(dangerousCall(call("apply_patch", { input: "not a patch" }), ctx())).toContain("does not parse");
  });
});
