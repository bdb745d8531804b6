import { describe, expect, it } from "vitest";
import { applyChatEvent, applyToolEvent, itemsFromHistory, withAckedMessage, type ChatItem } from "./chat-items.js";

const base = { runId: "r1", sessionKey: "agent:main:main" };
const say = (state: string, text: string) => ({ ...base, state, message: { content: [{ text }] } });
const shape = (items: ChatItem[]) =>
  items.map((i) => (i.kind === "tool" ? [i.kind, i.name, i.result] : [i.kind, "text" in i ? i.text : ""]));

describe("chat items", () => {
  it("shows the same run live and from history: reply, tool step, reply", () => {
    let live: ChatItem[] = [{ kind: "user", id: "u", text: "list", runId: "r1" }];
    live = applyChatEvent(live, say("delta", "Let me"));
    live = applyChatEvent(live, say("delta", "Let me look."));
    live = applyToolEvent(live, {
      ...base,
      data: { phase: "start", name: "exec", toolCallId: "t1", args: { cmd: "ls" } },
    });
    live = applyToolEvent(live, { ...base, data: { phase: "end", name: "exec", toolCallId: "t1", result: "a.txt" } });
    live = applyChatEvent(live, say("delta", "One"));
    live = applyChatEvent(live, say("final", "One file."));
    const history = itemsFromHistory([
      { role: "user", content: "list", runId: "r1" },
      {
        role: "assistant",
        content: [
          { type: "text", text: "Let me look." },
          { type: "toolCall", id: "t1", name: "exec", arguments: { cmd: "ls" } },
        ],
        runId: "r1",
      },
      { role: "toolResult", content: [{ type: "text", text: "a.txt" }], toolCallId: "t1", toolName: "exec" },
      { role: "assistant", content: [{ type: "text", text: "One file." }], runId: "r1", stopReason: "stop" },
    ]);
    expect(shape(history)).toEqual(shape(live));
    expect(shape(live)).toEqual([
      ["user", "list"],
      ["assistant", "Let me look."],
      ["tool", "exec", "a.txt"],
      ["assistant", "One file."],
    ]);
  });

  it("ignores a late delta for a reply already final, and shows errors with their cause", () => {
    let items = itemsFromHistory([{ role: "assistant", content: "done", runId: "r1" }]);
    items = applyChatEvent(items, say("delta", "do"));
    expect(shape(items)).toEqual([["assistant", "done"]]);
    items = applyChatEvent(items, {
      ...base,
      state: "error",
      errorMessage: "model http://127.0.0.1:11434 refused the connection",
      errorCode: "HF_MODEL_UNREACHABLE",
    });
    expect(items.at(-1)).toMatchObject({
      kind: "error",
      text: "model http://127.0.0.1:11434 refused the connection (HF_MODEL_UNREACHABLE)",
    });
  });

  it("marks an interrupted run from history", () => {
    const items = itemsFromHistory([{ role: "assistant", content: "", partial: true, stopReason: "interrupted" }]);
    expect(items[0]).toMatchObject({ kind: "error" });
  });

  it("shows a stopped run's partial reply the same live and from history", () => {
    let live: ChatItem[] = [{ kind: "user", id: "u", text: "slow", runId: "r1" }];
    live = applyChatEvent(live, say("delta", "Half a"));
    live = applyChatEvent(live, {
      ...base,
      state: "error",
      errorMessage: "run aborted",
      errorCode: "HF_RUN_ABORTED",
      partial: true,
    });
    const history = itemsFromHistory([
      { role: "user", content: "slow", runId: "r1" },
      { role: "assistant", content: "Half a", runId: "r1", partial: true, stopReason: "aborted" },
    ]);
    const full = (items: ChatItem[]) => items.map(({ id: _id, ...rest }) => rest);
    expect(full(history)).toEqual(full(live));
    expect(live[1]).toMatchObject({ kind: "assistant", final: true, incomplete: "aborted" });
    expect(live[2]).toMatchObject({ kind: "error", text: "run aborted (HF_RUN_ABORTED)" });
  });

  it("shows a message acked again after a restart once, when history already has its run", () => {
    const items = itemsFromHistory([{ role: "user", content: "hi", runId: "r9" }]);
    expect(withAckedMessage(items, { id: "k", text: "hi", runId: "r9" })).toHaveLength(1);
    expect(withAckedMessage(items, { id: "k2", text: "again", runId: "r10" })).toHaveLength(2);
  });
});
