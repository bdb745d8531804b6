/**
 * The reply path's typing indicator against a real adapter and its fake: a run that reports working
 * (`status` events, as the agent loop does) before its final text, answered through the
 * {@link ReplyDispatcher} as the channel stage does.
 */
import type { StartRunInput } from "../../src/agent/index.js";
import { ReplyDispatcher, type ChannelAdapter, type InboundMessage } from "../../src/channels/index.js";
import { captureLogger } from "./capture-log.js";
import { EchoRuns } from "./fake-channel.js";
import { channelState, tempStateDir } from "./temp-state.js";

/** Runs that report working (`status`) before their final text `echo: <message>`, as the agent loop does. */
export class WorkingRuns extends EchoRuns {
  override start(input: StartRunInput) {
    const base = { runId: "r1", agentId: input.agentId, sessionKey: input.sessionKey, seq: 0 };
    input.onEvent?.({ ...base, event: { type: "status", phase: "thinking" } });
    input.onEvent?.({ ...base, event: { type: "status", phase: "running_tool", tool: "read" } });
    return super.start(input);
  }
}

/** What {@link answerWorking} leaves to check. */
export interface WorkingAnswer {
  /** The debug lines of typing indicators that could not be shown (so far: the indicator is not awaited). */
  typingFailures(): Record<string, unknown>[];
}

/**
 * Answers `msg` (as `adapter` handed it over) with a run that works before it answers: the adapter
 * shows "typing…", then the reply `echo: <text>` is sent through the outbox. Resolves once the reply
 * was handed to the adapter.
 */
export async function answerWorking(adapter: ChannelAdapter, msg: InboundMessage): Promise<WorkingAnswer> {
  const cap = captureLogger();
  const { state } = channelState(tempStateDir("hf-typing-").stateDir);
  const replies = new ReplyDispatcher({
    runs: new WorkingRuns(),
    log: cap.log,
    adapter: (c, a) => (c === adapter.channel && a === adapter.accountId ? adapter : undefined),
    queues: state.channel,
    ledger: state.runs,
  });
  const route = {
    agentId: "main",
    sessionKey: `agent:main:${msg.chatId}`,
    dmScope: "main",
    matchedBy: "default",
  } as const;
  replies.startRun(msg, route, { senderId: msg.senderId, owner: true }, msg.text);
  await replies.flush();
  replies.stop();
  return { typingFailures: () => cap.lines.filter((l) => String(l.msg).startsWith("typing indicator not sent")) };
}

/** Polls `cond` every 20 ms for up to 6 s. */
export async function eventuallyTrue(cond: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 300 && !cond(); i++) await new Promise((r) => setTimeout(r, 20));
  if (!cond()) throw new Error(`timed out: ${what}`);
}
