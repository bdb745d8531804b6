import type { ExecApprovals } from "../approvals/index.js";
import type { HoldfastConfig } from "../config/index.js";
import type { GatewayConnections, MethodRegistrar } from "../gateway/index.js";
import { NodeInvoker } from "./invoker.js";
import { nodeMethods } from "./methods.js";
import { NodeRegistry } from "./registry.js";

/** Dependencies of {@link createNodeStage}. */
export interface NodeStageDeps {
  readonly config: HoldfastConfig;
  readonly now: () => number;
  /** Where the node methods go, and the live connections (the node hosts among them). */
  readonly gateway: {
    readonly methods: MethodRegistrar;
    readonly connections: Pick<GatewayConnections, "all" | "watch">;
  };
  /** Approvals for node commands go to the gateway's exec approvals. */
  readonly approvals: Pick<ExecApprovals, "request" | "allowlisted">;
}

/** The nodes stage. */
export interface NodeStage {
  readonly registry: NodeRegistry;
  /** Fails pending invocations (shutdown). */
  stop(): void;
}

/**
 * The gateway side of the nodes pipeline: a node host is registered by its `connect` (role `node`,
 * paired device, declared commands and caps) — the same protocol for holdfast's node host and the
 * reference's; operators list nodes and run `system.run` on them through `node.invoke.request` /
 * `node.invoke.result`, under the node command allowlist and exec approvals (same event, CLI, WS
 * method and chat commands as exec).
 */
export function createNodeStage(deps: NodeStageDeps): NodeStage {
  const registry = new NodeRegistry(deps.gateway.connections);
  const invoker = new NodeInvoker();
  deps.gateway.methods.register(
    ...nodeMethods({ registry, invoker, approvals: deps.approvals, config: deps.config, now: deps.now }),
  );
  return { registry, stop: () => invoker.shutdown() };
}
