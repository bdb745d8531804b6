import { describe, expect, it } from "vitest";
import { NodeInvoker } from "./invoker.js";
import { NodeRegistry } from "./registry.js";

describe("node invocations", () => {
  it("delivers a result only from the invoked node, once", async () => {
    const inv = new NodeInvoker();
    let sent: { invokeId: string } | undefined;
    const p = inv.invoke(
      { nodeId: "node-a", send: (_e, payload) => (sent = payload as { invokeId: string }) },
      "system.run",
      { argv: ["true"] },
      5_000,
    );
    const id = (sent as { invokeId: string }).invokeId;
    expect(inv.inflight(id, "node-b")).toBeUndefined();
    expect(() => inv.complete(id, "node-b", { ok: true, payload: {} })).toThrow(
      expect.objectContaining({ code: "HF_NOT_FOUND" }),
    );
    inv.complete(id, "node-a", { ok: true, payload: { exitCode: 0 } });
    await expect(p).resolves.toEqual({ ok: true, payload: { exitCode: 0 } });
    expect(() => inv.complete(id, "node-a", { ok: true, payload: {} })).toThrow();
  });

  it("times out when the node does not answer", async () => {
    const inv = new NodeInvoker();
    await expect(inv.invoke({ nodeId: "n", send: () => undefined }, "system.run", {}, 20)).rejects.toMatchObject({
      code: "HF_NODE_TIMEOUT",
    });
  });

  it("forgets nodes whose connection closed", () => {
    const open = new Set(["c1", "c2"]);
    const reg = new NodeRegistry(() => open);
    const send = () => undefined;
    reg.register({ connId: "c1", nodeId: "aa", displayName: "one", commands: ["system.run"], connectedAt: 1, send });
    reg.register({ connId: "c2", nodeId: "bb", displayName: "two", commands: ["system.run"], connectedAt: 2, send });
    open.delete("c1");
    expect(reg.list().map((n) => n.nodeId)).toEqual(["bb"]);
    expect(reg.find("aa")).toBeUndefined();
  });
});
