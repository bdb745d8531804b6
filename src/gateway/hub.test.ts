import { describe, expect, it } from "vitest";
import { z } from "zod";
import { thrownCode as codeOf } from "../../test/support/errors.js";
import { GatewayHub } from "./hub.js";
import { defineMethod } from "./methods/registry.js";

const method = (name: string) => defineMethod({ name, scope: null, params: z.looseObject({}), handler: () => ({}) });

describe("gateway hub", () => {
  it("takes methods, routes and status facts until sealed, then refuses them with HF_STAGE_STARTED", () => {
    const hub = new GatewayHub();
    hub.methods.register(method("a.one"));
    hub.routes.add(() => undefined);
    hub.status.add("one", () => 1);
    hub.seal();
    expect(codeOf(() => hub.methods.register(method("a.two")))).toBe("HF_STAGE_STARTED");
    expect(codeOf(() => hub.routes.add(() => undefined))).toBe("HF_STAGE_STARTED");
    expect(codeOf(() => hub.status.add("two", () => 2))).toBe("HF_STAGE_STARTED");
    expect(hub.methods.names()).toEqual(["a.one"]);
  });

  it("collects status facts in registration order, awaiting async ones", async () => {
    const hub = new GatewayHub();
    hub.status.add("b", async () => ({ count: 2 }));
    hub.status.add("a", () => [1]);
    const doc = await hub.status.collect({ admin: false });
    expect(Object.keys(doc)).toEqual(["b", "a"]);
    expect(doc).toEqual({ b: { count: 2 }, a: [1] });
  });

  it("hands every fact the caller's view (admin or not) and seals the health facts too", async () => {
    const hub = new GatewayHub();
    hub.healthFacts.add("path", (v) => (v.admin ? "/state/agents" : "[redacted]"));
    expect(await hub.healthFacts.collect({ admin: true })).toEqual({ path: "/state/agents" });
    expect(await hub.healthFacts.collect({ admin: false })).toEqual({ path: "[redacted]" });
    hub.seal();
    expect(codeOf(() => hub.healthFacts.add("late", () => 1))).toBe("HF_STAGE_STARTED");
  });
});
