import { DEFAULT_APPROVAL_TIMEOUT_MS, type ExecApprovals } from "../approvals/index.js";
import type { HoldfastConfig } from "../config/index.js";
import type { GatewayConnections, MethodRegistrar } from "../gateway/index.js";
import { NodeInvoker } from "./invoker.js";
import { nodeMethods } from "./methods.js";
import { NodeRegistry } from "./registry.js";

/** Dependencies of {@link createNodeStage}. */
export interface NodeStageDeps {
  readonly config: HoldfastConfig;
  readonly now: () => number;
  /** Where the node methods go, and the live connections (which of them are node hosts). */
  readonly gateway: { readonly methods: MethodRegistrar; readonly connections: Pick<GatewayConnections, "all"> };
  /** Approval requests from nodes go to the gateway's exec approvals. */
  readonly approvals: ExecApprovals;
}

/** The nodes stage. */
export interface NodeStage {
  readonly registry: NodeRegistry;
  /** Fails pending invocations (shutdown). */
  stop(): void;
}

/**
 * The gateway side of the nodes pipeline: node hosts register over the gateway socket (role `node`,
 * paired device), operators list them and run `system.run` on them; approval requests from nodes go
 * to the exec approvals (same event, CLI, WS method and chat commands as exec).
 */
export function createNodeStage(deps: NodeStageDeps): NodeStage {
  const { connections } = deps.gateway;
  const registry = new NodeRegistry(
    () =>
      new Set(
        connections
          .all()
          .filter((s) => s.role === "node")
          .map((s) => s.connId),
      ),
  );
  const invoker = new NodeInvoker();
  deps.gateway.methods.register(
    ...nodeMethods({
      registry,
      invoker,
      approvals: deps.approvals,
      config: deps.config,
      now: deps.now,
      approvalTimeoutMs: deps.config.tools?.exec?.approvalTimeoutMs ?? DEFAULT_APPROVAL_TIMEOUT_MS,
    }),
  );
  return { registry, stop: () => invoker.shutdown() };
}
