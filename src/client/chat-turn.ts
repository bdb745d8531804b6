import { randomUUID } from "node:crypto";
import { HoldfastError } from "../errors/index.js";
import type { GatewayClient } from "./gateway-client.js";

/** A `chat` event payload (WebChat protocol: `status`, `delta`, `final`, `error`). */
export interface ChatEventPayload {
  runId: string;
  sessionKey: string;
  state: "status" | "delta" | "final" | "error";
  deltaText?: string;
  message?: { role: string; content: { type: string; text: string }[] };
  errorMessage?: string;
  errorCode?: string;
  /** `status` events: what the run is doing (`running_tool`, `retrying_model`, `model_failover`). */
  phase?: string;
  statusText?: string;
  delayMs?: number;
  /** `final`: the model that answered. */
  model?: string;
  /** `error`: text had streamed before the failure (stored marked partial). */
  partial?: boolean;
}

/** One finished turn. */
export interface ChatTurn {
  readonly runId: string;
  /** `final`: `text` is the reply; `error`: `text` is the error message. */
  readonly state: "final" | "error";
  readonly text: string;
  readonly errorCode?: string;
  /** Every `chat` event of the run, in order. */
  readonly events: readonly ChatEventPayload[];
}

/** Options of {@link chatTurn}. */
export interface ChatTurnOptions {
  readonly sessionKey: string;
  readonly message: string;
  /** Default 600 000 ms. */
  readonly timeoutMs?: number;
  /** Each streamed text delta, as it arrives. */
  readonly onDelta?: (text: string) => void;
}

/**
 * Sends one turn with `chat.send` and waits for its `final` (or `error`) event: the run's events are
 * matched by the runId the gateway answers with (events that arrive before the answer are kept).
 * Needs `operator.write` and `operator.read`.
 * @throws GatewayRequestError when `chat.send` is refused; HoldfastError HF_GATEWAY_UNREACHABLE on a
 *   timeout or a closed connection.
 */
export function chatTurn(client: GatewayClient, o: ChatTurnOptions): Promise<ChatTurn> {
  const timeoutMs = o.timeoutMs ?? 600_000;
  const events: ChatEventPayload[] = [];
  const early: ChatEventPayload[] = [];
  let runId: string | undefined;
  return new Promise<ChatTurn>((resolve, reject) => {
    const finish = (fn: () => void) => {
      clearTimeout(timer);
      client.off("event", onEvent);
      client.off("close", onClose);
      fn();
    };
    const timer = setTimeout(
      () => finish(() => reject(new HoldfastError("HF_GATEWAY_UNREACHABLE", `no reply within ${timeoutMs} ms`))),
      timeoutMs,
    );
    const onClose = () =>
      finish(() => reject(new HoldfastError("HF_GATEWAY_UNREACHABLE", "the gateway closed the connection")));
    const onEvent = (name: string, p: ChatEventPayload) => {
      if (name !== "chat") return;
      if (!runId) return void early.push(p);
      if (p.runId !== runId) return;
      events.push(p);
      if (p.state === "delta" && p.deltaText) o.onDelta?.(p.deltaText);
      if (p.state !== "final" && p.state !== "error") return;
      const text = p.state === "final" ? (p.message?.content[0]?.text ?? "") : (p.errorMessage ?? "");
      const id = runId;
      finish(() =>
        resolve({
          runId: id,
          state: p.state as "final" | "error",
          text,
          events,
          ...(p.errorCode ? { errorCode: p.errorCode } : {}),
        }),
      );
    };
    client.on("event", onEvent);
    client.once("close", onClose);
    client
      .request("chat.send", { sessionKey: o.sessionKey, message: o.message, idempotencyKey: randomUUID() })
      .then((res) => {
        runId = (res as { runId: string }).runId;
        for (const p of early.splice(0)) onEvent("chat", p);
      })
      .catch((err: unknown) => finish(() => reject(err)));
  });
}
