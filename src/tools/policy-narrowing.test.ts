import { describe, expect, it } from "vitest";
import { validateConfig } from "../config/index.js";
import { allowedTools, toolPolicyLayers } from "./policy.js";
import { unknownToolEntries } from "./policy-config.js";

const ALL = ["read", "write", "edit", "apply_patch", "exec", "process", "sessions_send", "sessions_list"];

describe("privilege-narrowing keys are enforced", () => {
  it("applies sandbox.allowTools / denyTools to sandboxed sessions only; an agent's allowTools replaces the default", () => {
    const { config } = validateConfig({
      agents: {
        defaults: { sandbox: { allowTools: ["bash", "read", "write", "edit"], denyTools: ["edit"] } },
        list: [{ id: "main" }, { id: "ops", sandbox: { allowTools: ["read"], denyTools: ["write"] } }],
      },
    });
    const tools = (agentId: string, sandboxed: boolean) =>
      allowedTools(ALL, toolPolicyLayers(config, { agentId, sandboxed }));
    // allow "write" also admits apply_patch (reference §6.3).
    expect(tools("main", true)).toEqual(["read", "write", "apply_patch", "exec"]);
    expect(tools("ops", true)).toEqual(["read"]);
    expect(tools("main", false)).toContain("edit");
  });

  it("denies apply_patch when tools.exec.applyPatch.enabled is false", () => {
    const { config } = validateConfig({ tools: { exec: { applyPatch: { enabled: false } } } });
    expect(allowedTools(ALL, toolPolicyLayers(config, { agentId: "main", sandboxed: false }))).not.toContain(
      "apply_patch",
    );
  });

  it("names unknown tools in the legacy lists by their key path", () => {
    const { config } = validateConfig({ agents: { defaults: { sandbox: { denyTools: ["browser", "system"] } } } });
    expect(unknownToolEntries(config)).toEqual(['agents.defaults.sandbox.denyTools.1: unknown tool "system"']);
  });

  it("refuses narrowing keys holdfast does not implement, and still warns about harmless compat keys", () => {
    expect(() => validateConfig({ channels: { telegram: { actions: { reactions: false } } } })).toThrow(
      /channels\.telegram\.actions: would narrow privileges/,
    );
    expect(() => validateConfig({ agents: { list: [{ id: "a", subagents: { allowAgents: [] } }] } })).toThrow(
      /agents\.list\.0\.subagents: would narrow privileges/,
    );
    expect(validateConfig({ agents: { defaults: { sessionPruning: {} } } }).warnings.join()).toContain(
      "accepted for OpenClaw compatibility",
    );
  });
});
