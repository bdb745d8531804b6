import { randomUUID } from "node:crypto";
import type { GatewayClient } from "../../src/client/index.js";

/** A `chat` event payload as the tests read it. */
export interface ChatEventPayload {
  runId: string;
  sessionKey: string;
  state: "status" | "delta" | "final" | "error";
  deltaText?: string;
  message?: { role: string; content: { type: string; text: string }[] };
  errorMessage?: string;
  errorCode?: string;
}

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
  const events: ChatEventPayload[] = [];
  let runId: string | undefined;
  const buffered: ChatEventPayload[] = [];
  const done = new Promise<{ text: string; state: "final" | "error" }>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`no final chat event in ${timeoutMs} ms; got ${JSON.stringify(events)}`)),
      timeoutMs,
    );
    const onEvent = (name: string, p: ChatEventPayload) => {
      if (name !== "chat") return;
      if (!runId) return void buffered.push(p);
      if (p.runId !== runId) return;
      events.push(p);
      if (p.state === "final" || p.state === "error") {
        clearTimeout(timer);
        client.off("event", onEvent);
        resolve({
          text: p.state === "final" ? (p.message?.content[0]?.text ?? "") : (p.errorMessage ?? ""),
          state: p.state,
        });
      }
    };
    client.on("event", onEvent);
    void (async () => {
      const res = (await client.request("chat.send", { sessionKey, message, idempotencyKey: randomUUID() })) as {
        runId: string;
      };
      runId = res.runId;
      for (const p of buffered.splice(0)) onEvent("chat", p);
    })().catch(reject);
  });
  const out = await done;
  return { runId: runId as string, events, ...out };
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
