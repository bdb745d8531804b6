import { describe, expect, it } from "vitest";
import type { EventSink } from "../gateway/index.js";
import { NodeInvoker } from "./invoker.js";
import { NodeRegistry } from "./registry.js";

function sink(over: Partial<EventSink> & { connId: string }, sent: unknown[] = []): EventSink {
  return {
    role: "node",
    scopes: new Set(),
    clientId: "node-host",
    client: { id: "node-host", displayName: "box", mode: "node", platform: "linux" },
    caps: ["system"],
    commands: ["system.run"],
    connectedAt: 1,
    clientIp: "127.0.0.1",
    isLocal: true,
    authMethod: "token",
    deviceId: "aa",
    sendEvent: (e, p) => sent.push([e, p]),
    ...over,
  };
}

describe("node invocations", () => {
  it("sends node.invoke.request and delivers a result only from the invoked node, once", async () => {
    const inv = new NodeInvoker();
    const sent: [string, { id: string; nodeId: string; command: string; paramsJSON: string }][] = [];
    const p = inv.invoke(
      { nodeId: "node-a", send: (e, payload) => sent.push([e, payload as (typeof sent)[0][1]]) },
      "system.run",
      { command: ["true"] },
      { timeoutMs: 5_000 },
    );
    const [event, req] = sent[0] as (typeof sent)[0];
    expect(event).toBe("node.invoke.request");
    expect(req).toMatchObject({ nodeId: "node-a", command: "system.run", timeoutMs: 5_000 });
    expect(JSON.parse(req.paramsJSON)).toEqual({ command: ["true"] });
    expect(() => inv.complete(req.id, "node-b", { ok: true, payload: {} })).toThrow(
      expect.objectContaining({ code: "HF_NOT_FOUND" }),
    );
    inv.complete(req.id, "node-a", { ok: true, payload: { exitCode: 0 } });
    await expect(p).resolves.toEqual({ ok: true, payload: { exitCode: 0 } });
    expect(() => inv.complete(req.id, "node-a", { ok: true, payload: {} })).toThrow();
  });

  it("times out when the node does not answer", async () => {
    const inv = new NodeInvoker();
    await expect(
      inv.invoke({ nodeId: "n", send: () => undefined }, "system.run", {}, { timeoutMs: 20 }),
    ).rejects.toMatchObject({ code: "HF_NODE_TIMEOUT" });
  });
});

describe("the node registry (registered by connect)", () => {
  it("lists node connections with a device, newest connection per device, and forgets closed ones", () => {
    const sinks = new Map<string, EventSink>();
    let onClose: ((s: EventSink) => void) | undefined;
    const reg = new NodeRegistry({
      all: () => [...sinks.values()],
      watch: (l) => {
        onClose = l.close;
        return () => undefined;
      },
    });
    sinks.set("c1", sink({ connId: "c1", deviceId: "aa", connectedAt: 1 }));
    sinks.set(
      "c2",
      sink({ connId: "c2", deviceId: "aa", connectedAt: 2, client: { id: "node-host", displayName: "box2" } }),
    );
    sinks.set("c3", sink({ connId: "c3", deviceId: "bb", connectedAt: 3, caps: ["system", "exec-policy"] }));
    sinks.set("op", sink({ connId: "op", role: "operator", deviceId: "cc" }));
    sinks.set("nodev", sink({ connId: "nodev", deviceId: undefined as unknown as string }));
    expect(reg.list().map((n) => [n.nodeId, n.displayName])).toEqual([
      ["aa", "box2"],
      ["bb", "box"],
    ]);
    expect(reg.find("BB")?.caps).toEqual(["system", "exec-policy"]);
    expect(reg.byConnection("c1")).toBeUndefined();
    reg.setHostStats("c3", { cpuCount: 2 }, 50);
    expect(reg.find("bb")?.hostStats).toEqual({ cpuCount: 2, updatedAtMs: 50 });
    const gone = sinks.get("c3") as EventSink;
    sinks.delete("c3");
    onClose?.(gone);
    expect(reg.find("bb")).toBeUndefined();
  });
});
