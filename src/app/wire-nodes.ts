import type { ExecApprovals } from "../approvals/index.js";
import { DEFAULT_APPROVAL_TIMEOUT_MS } from "../approvals/index.js";
import { NodeInvoker, nodeMethods, NodeRegistry } from "../nodes/index.js";
import type { AppContext } from "./context.js";
import type { GatewayStage } from "./wire-gateway.js";

/** The nodes stage as wired. */
export interface NodesStage {
  readonly registry: NodeRegistry;
  /** Fails pending invocations (shutdown). */
  stop(): void;
}

/**
 * Wires the nodes pipeline: node hosts register over the gateway socket (role `node`, paired
 * device), operators list them and run `system.run` on them; approval requests from nodes go to the
 * gateway's exec approvals (same event, CLI, WS method and chat commands as exec).
 */
export function wireNodes(
  ctx: AppContext,
  gateway: Pick<GatewayStage, "methods" | "broadcaster">,
  approvals: ExecApprovals,
): NodesStage {
  const registry = new NodeRegistry(
    () =>
      new Set(
        gateway.broadcaster
          .all()
          .filter((s) => s.role === "node")
          .map((s) => s.connId),
      ),
  );
  const invoker = new NodeInvoker();
  gateway.methods.register(
    ...nodeMethods({
      registry,
      invoker,
      approvals,
      config: ctx.config,
      now: () => ctx.clock.now(),
      approvalTimeoutMs: ctx.config.tools?.exec?.approvalTimeoutMs ?? DEFAULT_APPROVAL_TIMEOUT_MS,
    }),
  );
  return { registry, stop: () => invoker.shutdown() };
}
