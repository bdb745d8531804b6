import path from "node:path";
import { z } from "zod";
import { HoldfastError } from "../errors/index.js";
import { defineMethod, type AnyMethodDef, type MethodContext } from "../gateway/index.js";
import type { InvokeResult, NodeInvoker } from "./invoker.js";
import type { NodeInfo, NodeRegistry } from "./registry.js";
import { runOnNode, type NodeRunDeps } from "./system-run.js";

/** What the node methods need. */
export interface NodeMethodDeps extends Omit<NodeRunDeps, "invoker"> {
  readonly registry: NodeRegistry;
  readonly invoker: NodeInvoker;
  readonly now: () => number;
}

const Argv = z
  .array(
    z
      .string()
      .min(1)
      .max(4096)
      .refine((s) => !s.includes("\0"), "must not contain NUL"),
  )
  .min(1)
  .max(256);

const RunParams = z.looseObject({
  nodeId: z.string().min(1).max(128),
  argv: Argv,
  cwd: z
    .string()
    .max(4096)
    .refine((p) => path.isAbsolute(p), "must be an absolute path")
    .optional(),
  timeoutMs: z.number().int().min(100).max(3_600_000).optional(),
});

const ResultParams = z.looseObject({
  id: z.string().min(1).max(64),
  nodeId: z.string().max(128).optional(),
  ok: z.boolean(),
  payload: z.unknown().optional(),
  payloadJSON: z
    .string()
    .max(8 * 1024 * 1024)
    .optional(),
  error: z
    .looseObject({
      code: z.string().max(64),
      message: z.string().max(2000),
      details: z.record(z.string(), z.unknown()).optional(),
    })
    .optional(),
});

/** A node's `payloadJSON` (wins) or `payload`. @throws HoldfastError HF_NODE_REFUSED for JSON that does not parse. */
function payloadOf(p: { payload?: unknown; payloadJSON?: string | undefined }): unknown {
  if (p.payloadJSON === undefined) return p.payload;
  try {
    return JSON.parse(p.payloadJSON) as unknown;
  } catch {
    throw new HoldfastError("HF_NODE_REFUSED", "payloadJSON is not valid JSON");
  }
}

/** A node as `node.list` shows it (reference shape). */
function listed(n: NodeInfo) {
  return {
    ...n,
    paired: true,
    connected: true,
    approvalState: "approved",
    connectedAtMs: n.connectedAt,
    lastConnectedAtMs: n.connectedAt,
    lastSeenAtMs: n.hostStats?.updatedAtMs ?? n.connectedAt,
    lastSeenReason: "connect",
  };
}

/**
 * Gateway methods of the nodes pipeline (docs/protocol.md; reference §3.9):
 * - operators: `nodes.list` and `node.list` (operator.read) → the connected nodes; `nodes.run`
 *   {nodeId, argv, cwd?, timeoutMs?} (operator.admin) → runs a program there (see {@link runOnNode});
 * - nodes (role node; their id is their device, never a param): `node.invoke.result` {id, nodeId?, ok,
 *   payloadJSON | payload | error}, `node.event` {event, payloadJSON | payload} (`node.host.stats` is
 *   kept for `node.list`; exec lifecycle events are acknowledged), `node.runnerInventory.update`,
 *   `node.skills.update`, `node.pluginTools.update` — acknowledged (holdfast gives nodes no worker
 *   runs, skills or plugin tools).
 */
export function nodeMethods(d: NodeMethodDeps): AnyMethodDef[] {
  const self = (ctx: MethodContext, claimed?: string) => {
    const node = d.registry.byConnection(ctx.conn.connId);
    if (!node) throw new HoldfastError("HF_NODE_REFUSED", "this connection is not a paired node host");
    if (claimed && claimed.toLowerCase() !== node.nodeId)
      throw new HoldfastError("HF_NODE_REFUSED", "nodeId does not match this connection's device");
    return node;
  };
  const ack = (name: string, extra: (nodeId: string) => Record<string, unknown>) =>
    defineMethod({
      name,
      scope: null,
      roles: ["node"],
      params: z.looseObject({}),
      handler: (_p, ctx) => extra(self(ctx).nodeId),
    });
  return [
    defineMethod({
      name: "nodes.list",
      scope: "operator.read",
      params: z.looseObject({}),
      handler: () => ({ nodes: d.registry.list() }),
    }),
    defineMethod({
      name: "node.list",
      scope: "operator.read",
      params: z.looseObject({}),
      handler: () => ({ ts: d.now(), nodes: d.registry.list().map(listed) }),
    }),
    defineMethod({
      name: "nodes.run",
      scope: "operator.admin",
      params: RunParams,
      async handler(p) {
        const node = d.registry.find(p.nodeId);
        if (!node)
          throw new HoldfastError(
            "HF_NODE_NOT_CONNECTED",
            `no node "${p.nodeId.slice(0, 64)}" is connected (see: nodes.list)`,
          );
        const out = await runOnNode(d, {
          node,
          argv: p.argv,
          ...(p.cwd ? { cwd: p.cwd } : {}),
          ...(p.timeoutMs ? { timeoutMs: p.timeoutMs } : {}),
        });
        return { nodeId: node.nodeId, ...out };
      },
    }),
    defineMethod({
      name: "node.invoke.result",
      scope: null,
      roles: ["node"],
      params: ResultParams,
      handler(p, ctx) {
        const node = self(ctx, p.nodeId);
        const result: InvokeResult = p.ok
          ? { ok: true, payload: payloadOf(p) ?? {} }
          : { ok: false, error: p.error ?? { code: "NODE_FAILED", message: "the node reported a failure" } };
        d.invoker.complete(p.id, node.nodeId, result);
        return { ok: true };
      },
    }),
    defineMethod({
      name: "node.event",
      scope: null,
      roles: ["node"],
      params: z.looseObject({
        event: z.string().min(1).max(128),
        payload: z.unknown().optional(),
        payloadJSON: z.string().max(1_000_000).optional(),
      }),
      handler(p, ctx) {
        const node = self(ctx);
        if (p.event === "node.host.stats") {
          const stats = payloadOf(p);
          if (stats && typeof stats === "object" && !Array.isArray(stats))
            d.registry.setHostStats(node.connId, stats as Record<string, unknown>, d.now());
        }
        return { ok: true };
      },
    }),
    ack("node.runnerInventory.update", (nodeId) => ({ nodeId })),
    ack("node.skills.update", (nodeId) => ({ nodeId, skills: [] })),
    ack("node.pluginTools.update", (nodeId) => ({ nodeId, tools: [] })),
  ];
}
