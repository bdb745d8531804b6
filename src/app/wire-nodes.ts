import type { ExecApprovals } from "../approvals/index.js";
import type { GatewayConnections, MethodRegistrar } from "../gateway/index.js";
import { createNodeStage, type NodeStage } from "../nodes/index.js";
import type { AppContext } from "./context.js";

/**
 * The nodes pipeline: node hosts are registered by their `connect`, operators list them and run
 * `system.run` on them; approvals for node commands go to the tool stage's exec approvals.
 */
export function wireNodes(
  ctx: AppContext,
  w: {
    readonly gateway: {
      readonly methods: MethodRegistrar;
      readonly broadcaster: Pick<GatewayConnections, "all" | "watch">;
    };
    readonly approvals: ExecApprovals;
  },
): NodeStage {
  return createNodeStage({
    config: ctx.config,
    now: () => ctx.clock.now(),
    gateway: { methods: w.gateway.methods, connections: w.gateway.broadcaster },
    approvals: w.approvals,
  });
}
