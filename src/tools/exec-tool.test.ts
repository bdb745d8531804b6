import { noSecurityTrail } from "../trail/index.js";
import { mkdir, mkdtemp } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import fc from "fast-check";
import pino from "pino";
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import type { ApprovalInput, ApprovalOutcome } from "../approvals/index.js";
import type { ChatCommand, CommandInvocation } from "../commands/index.js";
import type { HoldfastConfig } from "../config/index.js";
import { silentLogger } from "../logging/index.js";
import {
  BubblewrapBackend,
  InboundMedia,
  JAIL_PATH,
  SandboxManager,
  scrubbedEnv,
  type ExecRequest,
  type SandboxBackend,
} from "../sandbox/index.js";
import { ElevatedSessions, elevatedCommand, elevatedGate } from "./elevated.js";
import { ExecAuditor, type ExecAuditRecord } from "./exec-audit.js";
import { NEUTRAL_ENV } from "./exec-neutralise.js";
import { execTool } from "./exec-tool.js";
import { JAIL_TOOLS, JailEnvironment } from "./jail-environment.js";
import { PolicyGate } from "./policy-gate.js";
import { ProcessRegistry, processTool } from "./processes.js";
import { ToolRuntime } from "./runtime.js";
import { execPolicyBase } from "./settings.js";
import type { ToolContext } from "./types.js";

let dir: string;
let ran: ExecRequest[];
let asked: ApprovalInput[];
let answer: ApprovalOutcome;
let audits: ExecAuditRecord[];

const sandboxBackend = (ok = true): SandboxBackend => ({
  kind: "bubblewrap",
  availability: async () => (ok ? { ok: true } : { ok: false, reason: "bwrap is not installed" }),
  files: async (_spec, req) => req.ops.map(() => ({ ok: false, code: "failed", message: "not used here" })),
  run: async (_spec, req) => {
    ran.push(req);
    return {
      exitCode: 0,
      signal: null,
      stdout: `ran in ${req.cwd}`,
      stderr: "",
      truncated: false,
      timedOut: false,
      durationMs: 1,
    };
  },
});

/** Host sessions run in the real host jail (bubblewrap); sandboxed ones in the recording fake. */
const hostBackend = new BubblewrapBackend();
afterAll(() => hostBackend.close());

function stage(config: HoldfastConfig, backendOk = true) {
  const sandbox = new SandboxManager({
    config,
    sandboxesDir: path.join(dir, "sandboxes"),
    workspaceOf: () => path.join(dir, "workspace"),
    sessionIdOf: async () => "s",
    agentIds: () => ["main"],
    clock: { now: Date.now, sleep: async () => undefined },
    log: silentLogger(),
    backends: { bubblewrap: sandboxBackend(backendOk) },
  });
  const elevated = new ElevatedSessions();
  const env = new JailEnvironment({
    config,
    workspaceOf: () => path.join(dir, "workspace"),
    sandbox,
    elevated,
    hostBackend,
    cgroups: () => undefined,
    media: new InboundMedia(path.join(dir, "media")),
    env: { PATH: "/usr/bin:/bin", OPENAI_API_KEY: "sk-secret-0123456789" },
  });
  const log = pino(
    { level: "info" },
    { write: (line: string) => void audits.push(JSON.parse(line) as ExecAuditRecord) },
  );
  const processes = new ProcessRegistry();
  const tool = execTool({
    target: (c) => env.execTarget(c),
    policy: async () => execPolicyBase(config),
    approver: { request: async (i: ApprovalInput): Promise<ApprovalOutcome> => (asked.push(i), answer) },
    audit: new ExecAuditor(log, () => ["supersecretvalue"]),
    processes,
  });
  const gate = new PolicyGate(
    config,
    { isSandboxed: (a, k) => sandbox.isSandboxed(a, k), jailAvailability: (a, k) => env.availability(a, k) },
    JAIL_TOOLS,
  );
  const runtime = new ToolRuntime([tool, processTool(processes)], gate, { bash: "exec" });
  return { sandbox, elevated, env, runtime, processes };
}

const ctx = (sessionKey: string, workspaceDir: string, sender?: ToolContext["sender"]): ToolContext => ({
  agentId: "main",
  sessionKey,
  runId: "r1",
  workspaceDir,
  signal: new AbortController().signal,
  log: silentLogger(),
  ...(sender ? { sender } : {}),
});

beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), "holdfast-exec-"));
  await mkdir(path.join(dir, "workspace"), { recursive: true });
  ran = [];
  asked = [];
  audits = [];
  answer = { decision: "allow-once", by: "cli" };
});

describe("exec tool", () => {
  it("runs a group session's command in its sandbox, with a scrubbed, neutralised env and /workspace paths", async () => {
    const s = stage({ tools: { exec: { allowlist: ["uname"] } } });
    const ws = await s.env.workspaceFor("main", "agent:main:telegram:group:1");
    const r = await s.runtime.invoke(
      { name: "bash", arguments: { command: "uname -n" } },
      ctx("agent:main:telegram:group:1", ws),
    );
    expect(r).toMatchObject({ content: "[sandbox] exit code 0\nstdout:\nran in /workspace", isError: false });
    expect(ran[0]?.argv?.[0]).toMatch(/\/uname$/);
    expect(ran[0]?.env).toEqual({
      ...scrubbedEnv({ PATH: "/usr/bin:/bin" }, "/workspace"),
      PATH: JAIL_PATH,
      ...NEUTRAL_ENV,
    });
    expect(ran[0]?.privateHome).toBe(true);
    expect(JSON.stringify(ran[0]?.env)).not.toContain("sk-secret");
    expect(audits).toEqual([
      expect.objectContaining({
        audit: "exec",
        decision: "ran",
        reason: "exec_allowlisted",
        where: "sandbox",
        elevated: false,
        exitCode: 0,
        command: "uname -n",
        cwd: "/workspace",
      }),
    ]);
  });

  it("fails closed when the sandbox backend is unavailable: every tool call is refused, nothing runs", async () => {
    const s = stage({ tools: { exec: { security: "full", ask: "off" } } }, false);
    const r = await s.runtime.invoke(
      { name: "exec", arguments: { command: "id" } },
      ctx("agent:main:telegram:group:1", dir),
    );
    expect(r.decision).toBe("sandbox_unavailable");
    expect(r.content).toContain("the bubblewrap sandbox backend is unavailable: bwrap is not installed");
    expect(r.content).toContain("never fall back to the host");
    expect(ran).toEqual([]);
  });

  it("asks on a miss and runs after approval; a denial runs nothing; each writes one audit line", async () => {
    const s = stage({});
    const ws = await s.env.workspaceFor("main", "agent:main:g");
    const ok = await s.runtime.invoke(
      { name: "exec", arguments: { command: "echo hi | wc -c" } },
      ctx("agent:main:g", ws),
    );
    expect(ok.content).toContain("[sandbox] exit code 0");
    expect(asked[0]).toMatchObject({
      argv: ["echo", "hi"],
      segments: [
        ["echo", "hi"],
        ["wc", "-c"],
      ],
      command: "echo hi | wc -c",
      cwd: "/workspace",
      host: "sandbox",
      persistable: true,
    });
    expect(ran[0]?.shellCommand).toMatch(/^'\/.+\/echo' 'hi' \| '\/.+\/wc' '-c'$/);
    answer = { decision: "expired" };
    const no = await s.runtime.invoke({ name: "exec", arguments: { command: "echo again" } }, ctx("agent:main:g", ws));
    expect(no).toMatchObject({
      content: "exec was not approved: the approval request expired. Command: echo again",
      isError: true,
    });
    expect(ran).toHaveLength(1);
    expect(audits.map((a) => [a.decision, a.reason])).toEqual([
      ["ran", "exec_approved"],
      ["expired", "approval_expired"],
    ]);
  });

  it("refuses wrappers and shell syntax without asking anyone", async () => {
    const s = stage({});
    const ws = await s.env.workspaceFor("main", "agent:main:g");
    for (const command of ["sh -c 'id'", "bash -lc id", "echo $(id)", "cat /etc/passwd > x"]) {
      const r = await s.runtime.invoke({ name: "exec", arguments: { command } }, ctx("agent:main:g", ws));
      expect(r.content).toMatch(/^exec refused \(exec_(wrapper|shell_syntax)_refused\)/);
    }
    expect(asked).toEqual([]);
    expect(ran).toEqual([]);
  });

  it("keeps cwd inside the workspace", async () => {
    const s = stage({ tools: { exec: { security: "full", ask: "off" } } });
    const ws = await s.env.workspaceFor("main", "agent:main:g");
    const r = await s.runtime.invoke(
      { name: "exec", arguments: { command: "id", cwd: "../.." } },
      ctx("agent:main:g", ws),
    );
    expect(r).toMatchObject({ isError: true, content: expect.stringContaining("outside the workspace") });
  });

  it("runs the main session on the host, with a timeout and an output cap", async () => {
    const s = stage({ tools: { exec: { allowlist: ["sleep", "head"], maxOutputBytes: 1024, timeoutSec: 60 } } });
    const ws = path.join(dir, "workspace");
    const slow = await s.runtime.invoke(
      { name: "exec", arguments: { command: "sleep 30", timeoutMs: 300 } },
      ctx("agent:main:main", ws),
    );
    expect(slow.content).toMatch(/^timed out after \d+ ms/);
    const big = await s.runtime.invoke(
      { name: "exec", arguments: { command: "head -c 5000 /dev/zero" } },
      ctx("agent:main:main", ws),
    );
    expect(big.content).toContain("[output truncated]");
    expect(audits.map((a) => [a.where, a.timedOut])).toEqual([
      ["host", true],
      ["host", false],
    ]);
  });

  it("starts background processes that the process tool can poll and kill", async () => {
    const s = stage({ tools: { exec: { allowlist: ["sleep"] } } });
    const ws = path.join(dir, "workspace");
    const c = ctx("agent:main:main", ws);
    const started = await s.runtime.invoke({ name: "exec", arguments: { command: "sleep 30", background: true } }, c);
    const id = /process (p[0-9a-f]+)/.exec(started.content)?.[1] ?? "";
    expect((await s.runtime.invoke({ name: "process", arguments: { action: "poll", id } }, c)).content).toContain(
      "still running",
    );
    expect((await s.runtime.invoke({ name: "process", arguments: { action: "kill", id } }, c)).content).toBe(
      `Killed ${id}.`,
    );
    const poll = () => s.runtime.invoke({ name: "process", arguments: { action: "poll", id } }, c);
    for (let i = 0; i < 50 && (await poll()).content.includes("still running"); i++)
      await new Promise((r) => setTimeout(r, 100));
    expect((await poll()).content).toContain("killed by SIGKILL");
    expect(
      (await s.runtime.invoke({ name: "process", arguments: { action: "poll", id } }, ctx("agent:main:other", ws)))
        .content,
    ).toContain("No background process");
  });

  it("refuses exec host=sandbox without a sandbox and host=gateway in a sandboxed session", async () => {
    const s1 = stage({
      tools: { exec: { host: "sandbox", security: "full", ask: "off" } },
      agents: { defaults: { sandbox: { mode: "off" } } },
    });
    expect(
      (await s1.runtime.invoke({ name: "exec", arguments: { command: "id" } }, ctx("agent:main:main", dir))).content,
    ).toContain("exec host=sandbox requires a sandbox runtime for this session.");
    const s2 = stage({ tools: { exec: { host: "gateway", security: "full", ask: "off" } } });
    const ws = await s2.env.workspaceFor("main", "agent:main:g");
    expect(
      (await s2.runtime.invoke({ name: "exec", arguments: { command: "id" } }, ctx("agent:main:g", ws))).content,
    ).toContain("exec host=gateway is refused for a sandboxed session");
  });
});

describe("elevated mode", () => {
  const enabled: HoldfastConfig = {
    tools: { elevated: { enabled: true, allowFrom: { telegram: ["42", "id:43"], webchat: ["*"] } } },
  };

  it.each([
    [{}, { channel: "telegram", id: "42" }, false, "tools.elevated.enabled"],
    [
      { tools: { elevated: { allowFrom: { telegram: ["42"] } } } },
      { channel: "telegram", id: "42" },
      false,
      "tools.elevated.enabled",
    ],
    [enabled, { channel: "telegram", id: "42" }, true, undefined],
    [enabled, { channel: "telegram", id: "43" }, true, undefined],
    [enabled, { channel: "telegram", id: "44" }, false, "tools.elevated.allowFrom.telegram"],
    [enabled, { channel: "discord", id: "42" }, false, "tools.elevated.allowFrom.discord"],
    [
      { tools: { elevated: { enabled: true, allowFrom: ["42"] } } },
      { channel: "telegram", id: "42" },
      false,
      "tools.elevated.allowFrom.telegram",
    ],
    [
      { ...enabled, agents: { list: [{ id: "main", tools: { elevated: { enabled: false } } }] } },
      { channel: "telegram", id: "42" },
      false,
      "agents.list.0.tools.elevated.enabled",
    ],
    [
      { ...enabled, agents: { list: [{ id: "main", tools: { elevated: { allowFrom: { telegram: ["43"] } } } }] } },
      { channel: "telegram", id: "42" },
      false,
      "agents.list.0.tools.elevated.allowFrom.telegram",
    ],
  ] as const)("gate %#", (config, sender, ok, key) => {
    const d = elevatedGate(config as HoldfastConfig, "main", sender);
    expect(d.allow).toBe(ok);
    if (!d.allow) expect(d.detail).toBe(key);
  });

  it("is granted only with enabled: true and the sender listed for its channel (property)", () => {
    const id = fc.constantFrom("1", "42", "*", "id:42", "from:7");
    fc.assert(
      fc.property(
        fc.option(fc.boolean(), { nil: undefined }),
        fc.dictionary(fc.constantFrom("telegram", "discord", "webchat"), fc.array(id, { maxLength: 3 })),
        fc.constantFrom("telegram", "discord", "slack"),
        fc.constantFrom("1", "42", "7", "99"),
        (on, allowFrom, channel, sender) => {
          const d = elevatedGate(
            { tools: { elevated: { ...(on !== undefined ? { enabled: on } : {}), allowFrom } } },
            "main",
            { channel, id: sender },
          );
          const listed = (allowFrom[channel] ?? []).some((e) => e === "*" || e.replace(/^(id|from):/, "") === sender);
          expect(d.allow).toBe(on === true && listed);
        },
      ),
      { numRuns: 300 },
    );
  });

  const inv = (over: Partial<CommandInvocation> = {}): CommandInvocation => ({
    channel: "telegram",
    senderId: "42",
    chatType: "group",
    chatId: "-1",
    agentId: "main",
    sessionKey: "agent:main:telegram:group:-1",
    authorized: true,
    owner: false,
    ...over,
  });

  it("/elevated on moves exec to the host for that session only, for allowed senders; never re-admits a denied tool", async () => {
    const config: HoldfastConfig = { ...enabled, tools: { ...enabled.tools, exec: { allowlist: ["id"] } } };
    const s = stage(config);
    const toggles: Record<string, unknown>[] = [];
    const log = pino(
      { level: "info" },
      { write: (l: string) => void toggles.push(JSON.parse(l) as Record<string, unknown>) },
    );
    const cmd: ChatCommand = elevatedCommand(s.elevated, () => config, { log, trail: noSecurityTrail });
    expect(await cmd.run("on", inv({ senderId: "99" }))).toContain(
      "not available to you (tools.elevated.allowFrom.telegram)",
    );
    expect(await cmd.run("on", inv())).toContain("Elevated mode on");
    expect(await cmd.run("", inv())).toBe("Elevated mode is on for this session.");
    const key = "agent:main:telegram:group:-1";
    const ws = await s.env.workspaceFor("main", key);
    const sender = { channel: "telegram", id: "42", chatType: "group" as const, chatId: "-1" };
    const host = await s.runtime.invoke({ name: "exec", arguments: { command: "id -u" } }, ctx(key, ws, sender));
    expect(host.content, host.content).toMatch(/^\[host, elevated\] exit code 0/);
    expect(ran).toEqual([]);
    const stranger = await s.runtime.invoke(
      { name: "exec", arguments: { command: "id -u" } },
      ctx(key, ws, { ...sender, id: "77" }),
    );
    expect(stranger.content).toMatch(/^\[sandbox\]/);
    const other = await s.runtime.invoke(
      { name: "exec", arguments: { command: "id -u" } },
      ctx("agent:main:telegram:group:-2", await s.env.workspaceFor("main", "agent:main:telegram:group:-2"), {
        ...sender,
        chatId: "-2",
      }),
    );
    expect(other.content).toMatch(/^\[sandbox\]/);
    expect(audits.map((a) => a.elevated)).toEqual([true, false, false]);
    const denied = stage({ ...config, tools: { ...config.tools, deny: ["exec"] } });
    denied.elevated.set(key, true);
    expect(
      (await denied.runtime.invoke({ name: "exec", arguments: { command: "id" } }, ctx(key, ws, sender))).content,
    ).toBe('Tool "exec" is not available.');
    expect(await cmd.run("off", inv())).toBe("Elevated mode off.");
    expect(s.elevated.isOn(key)).toBe(false);
    expect(toggles.map((t) => [t.audit, t.decision, t.by])).toEqual([
      ["elevated", "refused", "telegram:99"],
      ["elevated", "on", "telegram:42"],
      ["elevated", "off", "telegram:42"],
    ]);
    expect(new ElevatedSessions().isOn(key)).toBe(false);
  });
});
