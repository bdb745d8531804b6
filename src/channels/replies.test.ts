import { describe, expect, it } from "vitest";
import { EchoRuns, MemoryAdapter } from "../../test/support/fake-channel.js";
import { channelState, tempStateDir } from "../../test/support/temp-state.js";
import { silentLogger } from "../logging/index.js";
import { CHANNEL_INTERRUPTED_TEXT, ReplyDispatcher } from "./replies.js";

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
