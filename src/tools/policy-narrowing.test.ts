import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { validateConfig, type HoldfastConfig } from "../config/index.js";
import { expandEntries, knownToolNames, PROVIDED_TOOLS, TOOL_GROUPS } from "./catalog.js";
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
    expect(validateConfig({ agents: { defaults: { compaction: {} } } }).warnings.join()).toContain(
      "accepted for OpenClaw compatibility",
    );
  });
});

describe("sandbox allowTools / denyTools narrow a sandboxed session (property)", () => {
  const entry = fc.oneof(
    fc.constantFrom(...knownToolNames()),
    fc.constantFrom(...Object.keys(TOOL_GROUPS)),
    fc.constantFrom("bash", "*", "sessions_*"),
  );
  const list = fc.option(fc.array(entry, { maxLength: 4 }), { nil: undefined });
  const names = (entries: readonly string[], tool: string) => {
    const e = expandEntries(entries);
    return e.names.has(tool) || e.patterns.some((r) => r.test(tool));
  };

  it("offers a sandboxed session no tool a denyTools names, and only members of the allowTools in force", () => {
    fc.assert(
      fc.property(
        fc.record({ allow: list, deny: list, agentAllow: list, agentDeny: list }),
        ({ allow, deny, agentAllow, agentDeny }) => {
          const config: HoldfastConfig = {
            agents: {
              defaults: { sandbox: { ...(allow ? { allowTools: allow } : {}), ...(deny ? { denyTools: deny } : {}) } },
              list: [
                {
                  id: "main",
                  sandbox: {
                    ...(agentAllow ? { allowTools: agentAllow } : {}),
                    ...(agentDeny ? { denyTools: agentDeny } : {}),
                  },
                },
              ],
            },
          };
          const offered = allowedTools(
            [...PROVIDED_TOOLS],
            toolPolicyLayers(config, { agentId: "main", sandboxed: true }),
          );
          const inForce = agentAllow ?? allow;
          for (const tool of offered) {
            for (const d of [deny, agentDeny]) if (d) expect(names(d, tool), `${tool} denied`).toBe(false);
            if (inForce && inForce.length > 0)
              expect(names(inForce, tool) || (tool === "apply_patch" && names(inForce, "write")), tool).toBe(true);
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
