import path from "node:path";
import { z } from "zod";
import type { ExecApprovals } from "../approvals/index.js";
import type { HoldfastConfig } from "../config/index.js";
import { HoldfastError } from "../errors/index.js";
import { defineMethod, type AnyMethodDef } from "../gateway/index.js";
import type { InvokeResult, NodeInvoker } from "./invoker.js";
import type { NodeRegistry } from "./registry.js";

/** The one command node hosts offer today. */
export const SYSTEM_RUN = "system.run";
/** Extra time `nodes.run` waits beyond the command's own timeout (approval wait and transport). */
const INVOKE_MARGIN_MS = 5_000;

/** What the node methods need. */
export interface NodeMethodDeps {
  readonly registry: NodeRegistry;
  readonly invoker: NodeInvoker;
  readonly approvals: ExecApprovals;
  readonly config: HoldfastConfig;
  readonly now: () => number;
  /** How long an approval may wait (ms); `nodes.run` waits at least this long. */
  readonly approvalTimeoutMs: number;
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
  invokeId: z.string().min(1).max(64),
  ok: z.boolean(),
  payload: z.unknown().optional(),
  error: z.looseObject({ code: z.string().max(64), message: z.string().max(2000) }).optional(),
});
const ApprovalParams = z.looseObject({
  invokeId: z.string().min(1).max(64),
  argv: Argv,
  cwd: z.string().max(4096),
  reason: z.string().max(500),
  persistable: z.boolean(),
});

/**
 * Gateway methods of the nodes pipeline (seeds: formal model "nodes-pipeline": `nodes.run` requires
 * allowlist + approval; reference §3.9):
 * - operators: `nodes.list` (operator.read), `nodes.run` {nodeId, argv, cwd?, timeoutMs?} (operator.admin;
 *   `gateway.nodes.commands.deny`/`allow` apply, deny wins);
 * - nodes (role node): `node.register` {displayName, commands}, `node.invoke.result` {invokeId, ok, payload|error},
 *   `node.exec.approval.request` {invokeId, argv, cwd, reason, persistable} — only for an in-flight
 *   invocation of that node with the same argv; the decision is single-use.
 */
export function nodeMethods(d: NodeMethodDeps): AnyMethodDef[] {
  return [
    defineMethod({
      name: "nodes.list",
      scope: "operator.read",
      params: z.looseObject({}),
      handler: () => ({ nodes: d.registry.list() }),
    }),
    defineMethod({
      name: "nodes.run",
      scope: "operator.admin",
      params: RunParams,
      async handler(p) {
        commandAllowed(d.config, SYSTEM_RUN);
        const node = d.registry.find(p.nodeId);
        if (!node)
          throw new HoldfastError(
            "HF_NODE_NOT_CONNECTED",
            `no node "${p.nodeId.slice(0, 64)}" is connected (see: nodes.list)`,
          );
        if (!node.commands.includes(SYSTEM_RUN))
          throw new HoldfastError("HF_NODE_REFUSED", `node ${node.displayName} does not offer ${SYSTEM_RUN}`);
        const params = {
          argv: p.argv,
          ...(p.cwd ? { cwd: p.cwd } : {}),
          ...(p.timeoutMs ? { timeoutMs: p.timeoutMs } : {}),
        };
        const waitMs = (p.timeoutMs ?? 120_000) + d.approvalTimeoutMs + INVOKE_MARGIN_MS;
        return {
          nodeId: node.nodeId,
          ...unwrap(await d.invoker.invoke(node, SYSTEM_RUN, params, waitMs)),
        };
      },
    }),
    defineMethod({
      name: "node.register",
      scope: null,
      roles: ["node"],
      params: z.looseObject({
        displayName: z.string().min(1).max(128).optional(),
        commands: z.array(z.string().max(64)).max(32),
      }),
      handler(p, ctx) {
        const nodeId = requireDevice(ctx.conn.deviceId);
        return {
          ok: true,
          node: d.registry.register({
            connId: ctx.conn.connId,
            nodeId,
            displayName: p.displayName ?? nodeId.slice(0, 12),
            commands: p.commands,
            connectedAt: d.now(),
            send: ctx.sendEvent,
          }),
        };
      },
    }),
    defineMethod({
      name: "node.invoke.result",
      scope: null,
      roles: ["node"],
      params: ResultParams,
      handler(p, ctx) {
        const result: InvokeResult = p.ok
          ? { ok: true, payload: p.payload ?? {} }
          : { ok: false, error: p.error ?? { code: "NODE_FAILED", message: "the node reported a failure" } };
        d.invoker.complete(p.invokeId, requireDevice(ctx.conn.deviceId), result);
        return { ok: true };
      },
    }),
    defineMethod({
      name: "node.exec.approval.request",
      scope: null,
      roles: ["node"],
      params: ApprovalParams,
      async handler(p, ctx) {
        const nodeId = requireDevice(ctx.conn.deviceId);
        const inflight = d.invoker.inflight(p.invokeId, nodeId);
        const asked = (inflight?.params as { argv?: readonly string[] } | undefined)?.argv;
        if (
          !inflight ||
          inflight.command !== SYSTEM_RUN ||
          JSON.stringify(asked?.slice(1)) !== JSON.stringify(p.argv.slice(1))
        ) {
          throw new HoldfastError(
            "HF_NODE_REFUSED",
            "approval requests must belong to a running system.run invocation of this node, with the same arguments",
          );
        }
        const outcome = await d.approvals.request(
          {
            argv: p.argv,
            segments: [p.argv],
            command: p.argv.join(" "),
            cwd: p.cwd,
            host: "node",
            agentId: "node",
            sessionKey: `node:${nodeId}`,
            reason: p.reason,
            persistable: p.persistable,
            patterns: [],
          },
          new AbortController().signal,
        );
        return { decision: outcome.decision, ...(outcome.by ? { by: outcome.by } : {}) };
      },
    }),
  ];
}

function requireDevice(deviceId: string | undefined): string {
  if (!deviceId) throw new HoldfastError("HF_NODE_REFUSED", "node connections need a paired device identity");
  return deviceId;
}

/** `gateway.nodes.commands`: exact names; deny wins; a set allow list admits only its members. */
function commandAllowed(config: HoldfastConfig, command: string): void {
  const c = config.gateway?.nodes?.commands;
  if (c?.deny?.includes(command))
    throw new HoldfastError("HF_NODE_REFUSED", `${command} is denied by gateway.nodes.commands.deny`);
  if (c?.allow && !c.allow.includes(command))
    throw new HoldfastError("HF_NODE_REFUSED", `${command} is not in gateway.nodes.commands.allow`);
}

function unwrap(r: InvokeResult): Record<string, unknown> {
  if (r.ok) return (r.payload ?? {}) as Record<string, unknown>;
  throw new HoldfastError("HF_NODE_REFUSED", `the node refused or failed: ${r.error.message}`, {
    nodeCode: r.error.code,
  });
}
