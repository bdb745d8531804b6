import { mkdtemp } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { ChatCommandRegistry, type CommandInvocation } from "../commands/index.js";
import { systemClock } from "../infra/index.js";
import { silentLogger } from "../logging/index.js";
import { AllowAlwaysStore, approvalCommands, ExecApprovals, type ApprovalInput } from "./index.js";

const input: ApprovalInput = {
  argv: ["rm", "x"],
  segments: [["rm", "x"]],
  command: "rm x",
  cwd: "/workspace",
  host: "sandbox",
  agentId: "main",
  sessionKey: "agent:main:g",
  reason: "miss",
  persistable: true,
  patterns: [],
};
const inv = (owner: boolean): CommandInvocation => ({
  channel: "telegram",
  senderId: "42",
  chatType: "direct",
  agentId: "main",
  sessionKey: "agent:main:telegram:direct:42",
  authorized: true,
  owner,
});

describe("/approve and /deny", () => {
  it("are owner-only, list pending requests, and resolve by id once", async () => {
    const approvals = new ExecApprovals({
      clock: systemClock,
      store: new AllowAlwaysStore(await mkdtemp(path.join(os.tmpdir(), "holdfast-ap-")), Date.now),
      log: silentLogger(),
    });
    const registry = new ChatCommandRegistry();
    registry.register(...approvalCommands(approvals));
    expect(await registry.execute("/approve", inv(true))).toMatchObject({ reply: "No exec approvals are pending." });
    const pending = approvals.request(input, new AbortController().signal);
    const id = approvals.list()[0]?.id ?? "";
    expect(await registry.execute(`/deny ${id}`, inv(false))).toMatchObject({ reason: "command_owner_only" });
    expect(await registry.execute("/deny", inv(true))).toMatchObject({
      reply: expect.stringContaining(`${id}  rm x  (agent:main:g)`),
    });
    expect(await registry.execute(`/deny ${id}`, inv(true))).toMatchObject({ reply: "Denied: rm x" });
    expect(await pending).toEqual({ decision: "deny", by: "chat:telegram:42" });
    expect(await registry.execute(`/approve ${id}`, inv(true))).toMatchObject({
      reply: expect.stringContaining(`no pending exec approval "${id}"`),
    });
  });
});
