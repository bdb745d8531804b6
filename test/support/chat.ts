import { chatTurn, type ChatEventPayload, type GatewayClient } from "../../src/client/index.js";

export type { ChatEventPayload } from "../../src/client/index.js";

/**
 * Sends `chat.send` and collects that run's `chat` events until `final` or `error`.
 * @returns the runId, all of its chat events, and the final text (or error message).
 */
export async function sendAndWait(
  client: GatewayClient,
  sessionKey: string,
  message: string,
  timeoutMs = 20_000,
): Promise<{ runId: string; events: ChatEventPayload[]; text: string; state: "final" | "error" }> {
  const turn = await chatTurn(client, { sessionKey, message, timeoutMs });
  return { runId: turn.runId, events: [...turn.events], text: turn.text, state: turn.state };
}

/** An `exec.approval.requested` event payload. */
export interface ApprovalRequested {
  id: string;
  argv: string[];
  cwd: string;
  host: string;
  sessionKey: string;
  agentId: string;
  expiresAtMs: number;
  command: string;
  reason: string;
  /** The tool asking, when it is not exec. */
  tool?: string;
  /** Set when the turn read untrusted content. */
  taint?: { summary: string; kinds: string[]; sources: string[] };
}

/** Waits for the next `exec.approval.requested` event on `client`. */
export function nextApproval(client: GatewayClient): Promise<ApprovalRequested> {
  return new Promise((resolve) => {
    const on = (name: string, payload: ApprovalRequested) => {
      if (name !== "exec.approval.requested") return;
      client.off("event", on);
      resolve(payload);
    };
    client.on("event", on);
  });
}
