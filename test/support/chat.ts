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
