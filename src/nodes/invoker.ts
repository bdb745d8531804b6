import { randomUUID } from "node:crypto";
import { HoldfastError } from "../errors/index.js";
import type { NodeRegistration } from "./registry.js";

/** What a node answers to an invocation. */
export type InvokeResult =
  | { readonly ok: true; readonly payload: unknown }
  | { readonly ok: false; readonly error: { readonly code: string; readonly message: string } };

interface Pending {
  readonly nodeId: string;
  readonly command: string;
  readonly params: unknown;
  readonly resolve: (r: InvokeResult) => void;
  readonly timer: NodeJS.Timeout;
}

/**
 * Routes command invocations to node hosts and their results back. Each invocation has an id the
 * node must answer with; a result from another node, for an unknown id, or after the deadline is
 * rejected. The pending invocation also binds what a node may ask approval for (same node, same argv).
 */
export class NodeInvoker {
  private readonly pending = new Map<string, Pending>();

  /**
   * Sends `command` to a node and waits for its result.
   * @throws HoldfastError HF_NODE_TIMEOUT when no result arrives within `timeoutMs`.
   */
  invoke(
    { nodeId, send }: Pick<NodeRegistration, "nodeId" | "send">,
    command: string,
    params: unknown,
    timeoutMs: number,
  ): Promise<InvokeResult> {
    const invokeId = randomUUID();
    return new Promise<InvokeResult>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(invokeId);
        reject(
          new HoldfastError(
            "HF_NODE_TIMEOUT",
            `node ${nodeId.slice(0, 12)} did not answer ${command} within ${timeoutMs} ms`,
          ),
        );
      }, timeoutMs);
      this.pending.set(invokeId, { nodeId, command, params, resolve, timer });
      send("node.invoke", { invokeId, command, params });
    });
  }

  /** The in-flight invocation `invokeId` of `nodeId`, or undefined. */
  inflight(invokeId: string, nodeId: string): { command: string; params: unknown } | undefined {
    const p = this.pending.get(invokeId);
    return p && p.nodeId === nodeId ? { command: p.command, params: p.params } : undefined;
  }

  /**
   * Delivers a node's result.
   * @throws HoldfastError HF_NOT_FOUND when the id is unknown, finished, or belongs to another node.
   */
  complete(invokeId: string, nodeId: string, result: InvokeResult): void {
    const p = this.pending.get(invokeId);
    if (!p || p.nodeId !== nodeId)
      throw new HoldfastError("HF_NOT_FOUND", "no invocation with that id is waiting for this node");
    this.pending.delete(invokeId);
    clearTimeout(p.timer);
    p.resolve(result);
  }

  /** Fails every pending invocation (shutdown). */
  shutdown(): void {
    for (const [id, p] of this.pending) {
      clearTimeout(p.timer);
      p.resolve({ ok: false, error: { code: "UNAVAILABLE", message: "gateway shutting down" } });
      this.pending.delete(id);
    }
  }
}
