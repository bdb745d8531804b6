import { describe, expect, it } from "vitest";
import type { StartRunInput } from "../agent/index.js";
import { captureLogger } from "../../test/support/capture-log.js";
import { EchoRuns, MemoryAdapter } from "../../test/support/fake-channel.js";
import { channelState, tempStateDir } from "../../test/support/temp-state.js";
import { WorkingRuns } from "../../test/support/typing-replies.js";
import { silentLogger } from "../logging/index.js";
import { CHANNEL_INTERRUPTED_TEXT, ReplyDispatcher, TYPING_REFRESH_MS } from "./replies.js";

function dispatcher(stateDir: string, adapter: MemoryAdapter) {
  const { state, db } = channelState(stateDir);
  return {
    state,
    db,
    replies: new ReplyDispatcher({
      runs: new EchoRuns(),
      log: silentLogger(),
      adapter: () => adapter,
      queues: state.channel,
      ledger: state.runs,
    }),
  };
}

describe("reply recovery after a restart", () => {
  it("plans replies of runs that ended while the process was down, once, and a notice for interrupted ones", async () => {
    const { stateDir } = tempStateDir();
    const adapter = new MemoryAdapter();
    const { state, db, replies } = dispatcher(stateDir, adapter);
    state.runs.admit({ runId: "done", sessionKey: "agent:main:a", message: {} });
    state.runs.finish("done", "ok", { text: "the answer" });
    state.runs.admit({ runId: "cut", sessionKey: "agent:main:b", message: {} });
    db.run("t", (d) => d.prepare("UPDATE runs SET status = 'interrupted' WHERE run_id = 'cut'").run());
    state.runs.admit({ runId: "open", sessionKey: "agent:main:c", message: {} });
    const { outbox } = state.channel("telegram", "default");
    outbox.reserve("7:1", { chatId: "7" }, "done");
    outbox.reserve("8:1", { chatId: "8", replyTo: "1" }, "cut");
    outbox.reserve("9:1", { chatId: "9" }, "open");
    replies.recover("telegram", "default");
    await replies.flush();
    expect(adapter.sent).toEqual([
      { chatId: "7", text: "the answer" },
      { chatId: "8", text: CHANNEL_INTERRUPTED_TEXT, replyTo: "1" },
    ]);
    replies.recover("telegram", "default");
    await replies.flush();
    expect(adapter.sent).toHaveLength(2);
    expect(outbox.awaiting().map((r) => r.replyKey)).toEqual(["9:1"]);
    replies.stop();
  });
});

/** An adapter that can show "typing…", failing when told to. */
class TypingAdapter extends MemoryAdapter {
  readonly typed: { chatId: string; threadId?: string }[] = [];
  fail = false;
  async sendTyping(target: { chatId: string; threadId?: string }): Promise<void> {
    this.typed.push(target);
    if (this.fail) throw new Error("typing refused by the platform");
  }
}

describe("typing indicator in the reply path", () => {
  const route = {
    agentId: "main",
    sessionKey: "agent:main:signal:dm:+15550001",
    dmScope: "main",
    matchedBy: "default",
  } as const;
  const msg = {
    channel: "signal",
    accountId: "default",
    chatType: "group" as const,
    chatId: "grp",
    threadId: "t1",
    senderId: "+15550001",
    text: "hi",
    mentionsBot: true,
    hasAnyMention: true,
    replyToBot: false,
    media: [],
    messageId: "m1",
    updateId: "m1",
    receivedAt: Date.now(),
  };

  for (const fail of [false, true])
    it(`shows typing once when the run starts working${fail ? "; a failing indicator is logged at debug and the reply still goes out" : ""}`, async () => {
      const { stateDir } = tempStateDir();
      const { state } = channelState(stateDir);
      const adapter = new TypingAdapter("signal");
      adapter.fail = fail;
      const cap = captureLogger();
      const replies = new ReplyDispatcher({
        runs: new WorkingRuns(),
        log: cap.log,
        adapter: () => adapter,
        queues: state.channel,
        ledger: state.runs,
      });
      replies.startRun(msg, route, { senderId: msg.senderId, owner: true }, "hi");
      await replies.flush();
      expect(adapter.typed).toEqual([{ chatId: "grp", threadId: "t1" }]);
      expect(adapter.sent).toEqual([{ chatId: "grp", text: "echo: hi", replyTo: "m1", threadId: "t1" }]);
      const logged = cap.lines.filter((l) => String(l.msg).startsWith("typing indicator not sent"));
      expect(logged.map((l) => l.level)).toEqual(fail ? [20] : []);
      replies.stop();
    });

  it("refreshes typing on the injected clock: again once TYPING_REFRESH_MS has passed, not before", async () => {
    const { stateDir } = tempStateDir();
    const { state } = channelState(stateDir);
    const adapter = new TypingAdapter("signal");
    let nowMs = 1_800_000_000_000;
    const clock = { now: () => nowMs };
    /** A run that keeps working: a status at 0, at half the refresh interval and at the full interval. */
    class SlowRuns extends EchoRuns {
      override start(input: StartRunInput) {
        const base = { runId: "r1", agentId: input.agentId, sessionKey: input.sessionKey, seq: 0 };
        for (const step of [0, TYPING_REFRESH_MS / 2, TYPING_REFRESH_MS / 2]) {
          nowMs += step;
          input.onEvent?.({ ...base, event: { type: "status", phase: "running_tool", tool: "read" } });
        }
        return super.start(input);
      }
    }
    const replies = new ReplyDispatcher({
      runs: new SlowRuns(),
      log: silentLogger(),
      adapter: () => adapter,
      queues: state.channel,
      ledger: state.runs,
      clock,
    });
    replies.startRun(msg, route, { senderId: msg.senderId, owner: true }, "hi");
    await replies.flush();
    expect(adapter.typed).toHaveLength(2);
    replies.stop();
  });
});
