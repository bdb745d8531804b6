import type { RunEvent, RunManager } from "../../agent/index.js";
import type { ChatCommandRegistry } from "../../commands/index.js";
import type { GatewayPorts } from "../../gateway/index.js";
import type { SessionStore } from "../../sessions/index.js";
import { agentMethod } from "./agent-method.js";
import { commandReplyEvent, toGatewayEvent } from "./chat-events.js";
import { chatReadMethods, type ChatMetadataPort } from "./chat-reads.js";
import { deltaThrottle } from "./delta-throttle.js";
import { webChatMethods } from "./methods.js";

/** Dependencies of {@link createWebChat}. */
export interface WebChatStageDeps {
  /** Where the `chat.*` methods and the `chat` / `agent` events go. */
  readonly gateway: GatewayPorts;
  readonly runs: Pick<RunManager, "start" | "startGrouped" | "abort" | "onEvent" | "sessionActive">;
  readonly sessions: Pick<SessionStore, "history" | "list" | "get">;
  /** Agent ids that exist (the default agent first). */
  readonly agentIds: () => readonly string[];
  readonly commands: ChatCommandRegistry;
  /** Models, commands and model defaults shown with a chat (`chat.startup`, `chat.metadata`). */
  readonly metadata: ChatMetadataPort;
  /** The outbound filter for run events (leak scan, redaction): the events to send for one (none drops it). */
  readonly guardRunEvent: (ev: RunEvent) => readonly RunEvent[];
  readonly now: () => number;
}

/**
 * The WebChat channel over the gateway socket: registers `chat.send`, `chat.abort`, `chat.history`,
 * `chat.startup`, `chat.metadata` and `agent` (one turn, answered twice on its request id), and fans
 * every agent run's events out as `chat` / `agent` events (after the leak guard, streamed text paced
 * by {@link deltaThrottle}: at most one `delta` per run every 150 ms) to operator connections with
 * `operator.read`. A chat command's reply goes out as the `final` event of a
 * synthetic run.
 */
export function createWebChat(deps: WebChatStageDeps): void {
  const { broadcaster } = deps.gateway;
  deps.gateway.methods.register(
    ...webChatMethods({
      runs: deps.runs,
      agentIds: deps.agentIds,
      commands: deps.commands,
      announce: (reply) => broadcaster.broadcast("chat", commandReplyEvent(reply, deps.now())),
    }),
    ...chatReadMethods({
      store: deps.sessions,
      agentIds: deps.agentIds,
      isActive: (key) => deps.runs.sessionActive(key),
      metadata: deps.metadata,
    }),
    agentMethod({ runs: deps.runs, store: deps.sessions, agentIds: deps.agentIds, now: deps.now }),
  );
  const paced = deltaThrottle({
    now: deps.now,
    emit: (ev) => {
      const out = toGatewayEvent(ev, deps.now());
      if (out) broadcaster.broadcast(out.event, out.payload);
    },
  });
  deps.runs.onEvent((raw) => {
    for (const ev of deps.guardRunEvent(raw)) paced(ev);
  });
}
