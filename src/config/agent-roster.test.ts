import { describe, expect, it } from "vitest";
import { agentRoster } from "./agent-roster.js";
import type { HoldfastConfig } from "./index.js";

const paths = { stateDir: "/s", workspaceDir: "/s/workspace" };

describe("agent roster", () => {
  it("is just main, working in <stateDir>/workspace, without agents.list", () => {
    const r = agentRoster({}, paths, "/home/u");
    expect(r.ids()).toEqual(["main"]);
    expect(r.entry("main")).toBeUndefined();
    expect(r.workspaceOf("main")).toBe("/s/workspace");
  });

  it("puts the default agent first and gives the others their own workspace", () => {
    const config: HoldfastConfig = {
      agents: { list: [{ id: "a" }, { id: "b", default: true }, { id: "c", workspace: "~/c-ws" }] },
    };
    const r = agentRoster(config, paths, "/home/u");
    expect(r.ids()).toEqual(["b", "a", "c"]);
    expect(r.workspaceOf("b")).toBe("/s/workspace");
    expect(r.workspaceOf("a")).toBe("/s/workspace-a");
    expect(r.workspaceOf("c")).toBe("/home/u/c-ws");
    expect(r.entry("c")?.workspace).toBe("~/c-ws");
  });

  it("uses agents.defaults.workspace for agents without their own", () => {
    const r = agentRoster({ agents: { defaults: { workspace: "/w" }, list: [{ id: "x" }] } }, paths, "/home/u");
    expect(r.workspaceOf("x")).toBe("/w");
  });
});
