import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { HoldfastConfig } from "../config/index.js";
import {
  expandEntries,
  knownToolNames,
  normalizeToolName,
  PROVIDED_TOOLS,
  TOOL_GROUPS,
  TOOL_PROFILES,
} from "./catalog.js";
import { allowedTools, decideTool, toolPolicyLayers, type PolicyLayer, type ToolPolicyContext } from "./policy.js";
import { assertToolPolicyConfig, unknownToolEntries } from "./policy-config.js";

const ALL = [...PROVIDED_TOOLS];
const main: ToolPolicyContext = { agentId: "main", sandboxed: false };
const visible = (config: HoldfastConfig, ctx: ToolPolicyContext = main) =>
  allowedTools(ALL, toolPolicyLayers(config, ctx));

describe("catalogue", () => {
  it.each([
    ["bash", "exec"],
    ["BASH", "exec"],
    ["apply-patch", "apply_patch"],
    [" Read ", "read"],
    ["cron", "automations"],
  ])("normalizes %s to %s", (input, out) => expect(normalizeToolName(input)).toBe(out));

  it.each([
    ["group:fs", ["ls", "read", "write", "edit", "apply_patch"]],
    ["group:runtime", ["exec", "process", "code_execution", "secrets"]],
    ["group:web", ["web_search", "web_fetch", "x_search"]],
    ["group:memory", ["memory_search", "memory_get"]],
    ["group:messaging", ["message"]],
    ["group:automation", ["heartbeat_respond", "automations", "gateway", "plugins", "openclaw"]],
    ["group:ui", ["browser", "screen", "theme", "dashboard", "terminal", "portal", "canvas", "show_widget"]],
  ])("%s has the reference membership", (group, members) => expect(TOOL_GROUPS[group]).toEqual(members));

  it("group:sessions holds every sessions tool holdfast provides", () => {
    expect(TOOL_GROUPS["group:sessions"]).toEqual(
      expect.arrayContaining([
        "sessions_list",
        "sessions_history",
        "sessions_send",
        "sessions_spawn",
        "session_status",
      ]),
    );
  });

  it("expands groups and globs and reports unknown entries", () => {
    const e = expandEntries(["group:memory", "sessions_*", "nope", "zz*"]);
    expect([...e.names]).toEqual(["memory_search", "memory_get", "nope"]);
    expect(e.patterns[0]?.test("sessions_list")).toBe(true);
    expect(e.unknown).toEqual(["nope", "zz*"]);
  });
});

describe("profiles", () => {
  it.each([
    ["minimal", ["session_status"]],
    [
      "coding",
      [
        "read",
        "write",
        "edit",
        "apply_patch",
        "exec",
        "process",
        "web_fetch",
        "web_search",
        "sessions_list",
        "sessions_history",
        "sessions_send",
        "sessions_spawn",
        "session_status",
        "memory_search",
        "memory_get",
        "image",
      ],
    ],
    [
      "messaging",
      ["sessions_list", "sessions_history", "sessions_send", "sessions_spawn", "session_status", "message"],
    ],
    ["full", ALL],
  ] as const)("profile %s admits exactly its tools", (profile, tools) => {
    expect(visible({ tools: { profile } }).sort()).toEqual([...tools].sort());
  });

  it("defaults to coding when no profile is set (message is opt-in)", () => {
    expect(visible({})).toEqual(visible({ tools: { profile: "coding" } }));
    expect(visible({})).not.toContain("message");
  });

  it("alsoAllow extends the profile", () => {
    expect(visible({ tools: { profile: "minimal", alsoAllow: ["message"] } }).sort()).toEqual([
      "message",
      "session_status",
    ]);
  });

  it("an agent profile overrides the global profile", () => {
    const config: HoldfastConfig = {
      tools: { profile: "full" },
      agents: { list: [{ id: "main", tools: { profile: "minimal" } }] },
    };
    expect(visible(config)).toEqual(["session_status"]);
  });
});

describe("precedence", () => {
  const cases: {
    name: string;
    config: HoldfastConfig;
    ctx?: Partial<ToolPolicyContext>;
    tool: string;
    allowed: boolean;
    reason?: string;
  }[] = [
    {
      name: "global deny beats the profile",
      config: { tools: { profile: "full", deny: ["exec"] } },
      tool: "exec",
      allowed: false,
      reason: "denied by tools",
    },
    {
      name: "deny beats allow in one layer",
      config: { tools: { profile: "full", allow: ["exec"], deny: ["exec"] } },
      tool: "exec",
      allowed: false,
    },
    { name: "alias in deny", config: { tools: { profile: "full", deny: ["bash"] } }, tool: "exec", allowed: false },
    {
      name: "group in deny",
      config: { tools: { profile: "full", deny: ["group:fs"] } },
      tool: "apply_patch",
      allowed: false,
    },
    {
      name: "allow list admits only members",
      config: { tools: { profile: "full", allow: ["read"] } },
      tool: "exec",
      allowed: false,
      reason: "not in the allow list of tools",
    },
    {
      name: "allow write admits apply_patch",
      config: { tools: { profile: "full", allow: ["write"] } },
      tool: "apply_patch",
      allowed: true,
    },
    {
      name: "deny write does not deny apply_patch",
      config: { tools: { profile: "full", deny: ["write"] } },
      tool: "apply_patch",
      allowed: true,
    },
    {
      name: "global allow cannot widen the profile",
      config: { tools: { profile: "minimal", allow: ["exec"] } },
      tool: "exec",
      allowed: false,
    },
    {
      name: "byProvider profile narrows",
      config: { tools: { profile: "coding", byProvider: { mock: { profile: "minimal" } } } },
      ctx: { provider: "mock" },
      tool: "read",
      allowed: false,
    },
    {
      name: "byProvider for another provider does not apply",
      config: { tools: { profile: "coding", byProvider: { other: { deny: ["read"] } } } },
      ctx: { provider: "mock" },
      tool: "read",
      allowed: true,
    },
    {
      name: "byProvider provider/model key",
      config: { tools: { byProvider: { "mock/m1": { deny: ["read"] } } } },
      ctx: { provider: "mock", model: "m1" },
      tool: "read",
      allowed: false,
    },
    {
      name: "agent deny",
      config: { agents: { list: [{ id: "main", tools: { deny: ["read"] } }] } },
      tool: "read",
      allowed: false,
      reason: "denied by agents.list.0.tools",
    },
    {
      name: "agent allow cannot re-admit a global deny",
      config: { tools: { deny: ["exec"] }, agents: { list: [{ id: "main", tools: { allow: ["exec"] } }] } },
      tool: "exec",
      allowed: false,
    },
    {
      name: "another agent's policy does not apply",
      config: { agents: { list: [{ id: "other", tools: { deny: ["read"] } }] } },
      tool: "read",
      allowed: true,
    },
    {
      name: "group tools apply to group chats",
      config: { channels: { telegram: { groups: { "-100": { tools: { deny: ["exec"] } } } } } },
      ctx: { sender: { channel: "telegram", id: "42", chatType: "group", chatId: "-100" } },
      tool: "exec",
      allowed: false,
      reason: "denied by channels.telegram.groups.-100.tools",
    },
    {
      name: "the * group applies to other groups",
      config: { channels: { telegram: { groups: { "*": { tools: { allow: ["read"] } } } } } },
      ctx: { sender: { channel: "telegram", id: "42", chatType: "group", chatId: "-7" } },
      tool: "exec",
      allowed: false,
    },
    {
      name: "group tools do not apply to DMs",
      config: { channels: { telegram: { groups: { "*": { tools: { deny: ["exec"] } } } } } },
      ctx: { sender: { channel: "telegram", id: "42", chatType: "direct" } },
      tool: "exec",
      allowed: true,
    },
    {
      name: "group toolsBySender beats group tools",
      config: {
        channels: {
          telegram: {
            groups: { "-1": { tools: { deny: ["exec"] }, toolsBySender: { "id:42": { allow: ["exec", "read"] } } } },
          },
        },
      },
      ctx: { sender: { channel: "telegram", id: "42", chatType: "group", chatId: "-1" } },
      tool: "exec",
      allowed: true,
    },
    {
      name: "account groups are checked first",
      config: { channels: { telegram: { accounts: { a1: { groups: { "-1": { tools: { deny: ["read"] } } } } } } } },
      ctx: { sender: { channel: "telegram", accountId: "a1", id: "1", chatType: "group", chatId: "-1" } },
      tool: "read",
      allowed: false,
    },
    {
      name: "global toolsBySender",
      config: { tools: { toolsBySender: { "channel:telegram:9": { deny: ["read"] } } } },
      ctx: { sender: { channel: "telegram", id: "9" } },
      tool: "read",
      allowed: false,
    },
    {
      name: "sandbox default denies web tools",
      config: {},
      ctx: { sandboxed: true },
      tool: "web_fetch",
      allowed: false,
      reason: "not in the allow list of sandbox tool policy (default)",
    },
    { name: "sandbox default allows exec", config: {}, ctx: { sandboxed: true }, tool: "exec", allowed: true },
    { name: "sandbox policy off when not sandboxed", config: {}, tool: "web_fetch", allowed: true },
    {
      name: "sandbox allow configured",
      config: { tools: { sandbox: { tools: { allow: ["web_fetch"] } } } },
      ctx: { sandboxed: true },
      tool: "web_fetch",
      allowed: true,
    },
    {
      name: "sandbox allow cannot re-admit a global deny",
      config: { tools: { deny: ["exec"], sandbox: { tools: { allow: ["exec"] } } } },
      ctx: { sandboxed: true },
      tool: "exec",
      allowed: false,
    },
    { name: "glob deny", config: { tools: { deny: ["sessions_*"] } }, tool: "sessions_spawn", allowed: false },
  ];

  it.each(cases)("$name", ({ config, ctx, tool, allowed, reason }) => {
    const d = decideTool(tool, toolPolicyLayers(config, { ...main, ...ctx }));
    expect(d.allow).toBe(allowed);
    if (reason && !d.allow) expect(d.detail).toBe(reason);
  });
});

describe("deny always wins (property)", () => {
  const entry = fc.oneof(
    fc.constantFrom(...knownToolNames()),
    fc.constantFrom(...Object.keys(TOOL_GROUPS)),
    fc.constantFrom("bash", "apply-patch", "*", "sessions_*"),
  );
  const list = fc.option(fc.array(entry, { maxLength: 4 }), { nil: undefined });
  const layer = fc.record({ allow: list, deny: list });
  const profile = fc.option(fc.constantFrom(...(Object.keys(TOOL_PROFILES) as (keyof typeof TOOL_PROFILES)[])), {
    nil: undefined,
  });

  it("a tool named (directly, by alias, group or glob) in any deny is never allowed", () => {
    fc.assert(
      fc.property(
        fc.record({
          p: profile,
          global: layer,
          agent: layer,
          group: layer,
          sandbox: layer,
          sandboxed: fc.boolean(),
          tool: fc.constantFrom(...ALL),
        }),
        ({ p, global, agent, group, sandbox, sandboxed, tool }) => {
          const config: HoldfastConfig = {
            tools: { ...(p ? { profile: p } : {}), ...clean(global), sandbox: { tools: clean(sandbox) } },
            agents: { list: [{ id: "main", tools: clean(agent) }] },
            channels: { telegram: { groups: { g: { tools: clean(group) } } } },
          };
          const ctx: ToolPolicyContext = {
            agentId: "main",
            sandboxed,
            sender: { channel: "telegram", id: "1", chatType: "group", chatId: "g" },
          };
          const layers = toolPolicyLayers(config, ctx);
          const denied = layers.some(
            (l: PolicyLayer) =>
              l.deny !== undefined &&
              (expandEntries(l.deny).names.has(tool) || expandEntries(l.deny).patterns.some((r) => r.test(tool))),
          );
          if (denied) expect(decideTool(tool, layers).allow).toBe(false);
          expect(allowedTools(ALL, layers).every((t) => decideTool(t, layers).allow)).toBe(true);
        },
      ),
      { numRuns: 400 },
    );
  });

  it("adding a deny entry never admits a tool", () => {
    fc.assert(
      fc.property(layer, entry, fc.constantFrom(...ALL), (base, extra, tool) => {
        const before = decideTool(tool, toolPolicyLayers({ tools: { profile: "full", ...clean(base) } }, main)).allow;
        const after = decideTool(
          tool,
          toolPolicyLayers({ tools: { profile: "full", ...clean(base), deny: [...(base.deny ?? []), extra] } }, main),
        ).allow;
        expect(!before && after).toBe(false);
      }),
      { numRuns: 300 },
    );
  });
});

describe("unknown names in config", () => {
  it("names every bad key path", () => {
    const config: HoldfastConfig = {
      tools: {
        deny: ["exec", "brwoser"],
        byProvider: { mock: { allow: ["nope"] } },
        sandbox: { tools: { allow: ["zz*"] } },
      },
      agents: { list: [{ id: "main", tools: { alsoAllow: ["bogus"] } }] },
      channels: {
        telegram: { groups: { "-1": { tools: { deny: ["x1"] }, toolsBySender: { "*": { allow: ["y1"] } } } } },
      },
    };
    expect(unknownToolEntries(config)).toEqual([
      'tools.deny.1: unknown tool "brwoser"',
      'tools.byProvider.mock.allow.0: unknown tool "nope"',
      'tools.sandbox.tools.allow.0: unknown tool "zz*"',
      'agents.list.0.tools.alsoAllow.0: unknown tool "bogus"',
      'channels.telegram.groups.-1.tools.deny.0: unknown tool "x1"',
      'channels.telegram.groups.-1.toolsBySender.*.allow.0: unknown tool "y1"',
    ]);
    expect(() => assertToolPolicyConfig(config)).toThrow(/tools\.deny\.1: unknown tool "brwoser"/);
  });

  it("accepts reference-only names, channel ids, aliases and groups", () => {
    expect(
      unknownToolEntries({ tools: { deny: ["browser", "gateway", "group:automation", "bash", "slack", "cron"] } }),
    ).toEqual([]);
  });
});

function clean(l: { allow?: string[] | undefined; deny?: string[] | undefined }): {
  allow?: string[];
  deny?: string[];
} {
  return { ...(l.allow ? { allow: l.allow } : {}), ...(l.deny ? { deny: l.deny } : {}) };
}
