import type { ExecApprovals } from "../approvals/index.js";
import type { GatewayConnections, MethodRegistrar } from "../gateway/index.js";
import { createNodeStage, type NodeStage } from "../nodes/index.js";
import type { AppContext } from "./context.js";

/**
 * The nodes pipeline: node hosts register over the gateway socket, operators list them and run
 * `system.run` on them; their approval requests go to the tool stage's exec approvals.
 */
export function wireNodes(
  ctx: AppContext,
  w: {
    readonly gateway: { readonly methods: MethodRegistrar; readonly broadcaster: Pick<GatewayConnections, "all"> };
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
