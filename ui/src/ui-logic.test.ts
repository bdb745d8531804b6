import { describe, expect, it } from "vitest";
import { formatRoute, parseRoute, visibleTabs } from "./route.js";
import { statusLabel } from "./run-status.js";

describe("run status", () => {
  it("names known phases and shows unknown ones generically", () => {
    expect(statusLabel({ phase: "thinking" })).toBe("thinking");
    expect(statusLabel({ phase: "running_tool", tool: "exec" })).toBe("running exec");
    expect(statusLabel({ phase: "retrying_model", retry: 2, maxRetries: 5 })).toBe("retrying model (2/5)");
    expect(
      statusLabel({
        phase: "retrying_model",
        retry: 1,
        maxRetries: 2,
        statusText: "retrying mock/a (1/2) in 1 s: 503",
      }),
    ).toBe("retrying model (1/2): retrying mock/a (1/2) in 1 s: 503");
    expect(statusLabel({ phase: "model_failover", to: "mock/b" })).toBe("switching to model mock/b");
    expect(statusLabel({ phase: "compacting_history" })).toBe("compacting history");
  });
});

describe("route", () => {
  it("keeps tab and session in the hash and falls back to chat on main", () => {
    const r = { tab: "approvals" as const, session: "agent:main:work & play" };
    expect(parseRoute(formatRoute(r))).toEqual(r);
    expect(parseRoute("#tab=nope")).toEqual({ tab: "chat", session: "agent:main:main" });
    expect(parseRoute("")).toEqual({ tab: "chat", session: "agent:main:main" });
  });
});

describe("tab gating", () => {
  it("shows each tab only with the scope its methods need", () => {
    expect(visibleTabs(new Set(["operator.read"]))).toEqual(["chat"]);
    expect(visibleTabs(new Set(["operator.write", "operator.approvals"]))).toEqual(["chat", "approvals"]);
    expect(visibleTabs(new Set(["operator.read", "operator.pairing"]))).toEqual(["chat", "pairing", "devices"]);
    expect(visibleTabs(new Set(["operator.admin"]))).toEqual([
      "chat",
      "approvals",
      "pairing",
      "devices",
      "channels",
      "security",
      "logs",
    ]);
    expect(visibleTabs(new Set())).toEqual([]);
  });
});
