import { randomUUID } from "node:crypto";
import { HoldfastError } from "../errors/index.js";

/** What a node answers to an invocation (its `node.invoke.result`). */
export type InvokeResult =
  | { readonly ok: true; readonly payload: unknown }
  | {
      readonly ok: false;
      readonly error: { readonly code: string; readonly message: string; readonly details?: Record<string, unknown> };
    };

/** Where an invocation goes: a connected node and how to send it an event. */
export interface InvokeTarget {
  readonly nodeId: string;
  readonly send: (event: string, payload: unknown) => void;
}

interface Pending {
  readonly nodeId: string;
  readonly resolve: (r: InvokeResult) => void;
  readonly timer: NodeJS.Timeout;
}

/**
 * Routes invocations to node hosts and their results back (reference: the gateway sends
 * `node.invoke.request {id, nodeId, command, paramsJSON, timeoutMs, idempotencyKey}`, the node
 * answers with the `node.invoke.result {id, nodeId, ok, payloadJSON | error}` method). A result from
 * another node, for an unknown id, or after the deadline is refused.
 */
export class NodeInvoker {
  private readonly pending = new Map<string, Pending>();

  /**
   * Sends `command` with `params` to a node and waits for its result.
   * @throws HoldfastError HF_NODE_TIMEOUT when no result arrives within `timeoutMs`.
   */
  invoke(
    target: InvokeTarget,
    command: string,
    params: unknown,
    opts: { readonly timeoutMs: number; readonly idempotencyKey?: string },
  ): Promise<InvokeResult> {
    const id = randomUUID();
    return new Promise<InvokeResult>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(
          new HoldfastError(
            "HF_NODE_TIMEOUT",
            `node ${target.nodeId.slice(0, 12)} did not answer ${command} within ${opts.timeoutMs} ms`,
          ),
        );
      }, opts.timeoutMs);
      this.pending.set(id, { nodeId: target.nodeId, resolve, timer });
      target.send("node.invoke.request", {
        id,
        nodeId: target.nodeId,
        command,
        paramsJSON: JSON.stringify(params),
        timeoutMs: opts.timeoutMs,
        idempotencyKey: opts.idempotencyKey ?? id,
      });
    });
  }

  /**
   * Delivers a node's result.
   * @throws HoldfastError HF_NOT_FOUND when the id is unknown, finished, or belongs to another node.
   */
  complete(id: string, nodeId: string, result: InvokeResult): void {
    const p = this.pending.get(id);
    if (!p || p.nodeId !== nodeId)
      throw new HoldfastError("HF_NOT_FOUND", "no invocation with that id is waiting for this node");
    this.pending.delete(id);
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
