import { describe, expect, it } from "vitest";
import { tempSessionStore } from "../../test/support/temp-state.js";
import { silentLogger } from "../logging/index.js";
import type { ChatMessage } from "../sessions/index.js";
import { recoverInterruptedRuns } from "./recovery.js";

const KEY = "agent:main:main";
const user = (runId: string): ChatMessage => ({ role: "user", content: `q ${runId}`, timestamp: 1, runId });

describe("start-up recovery of open runs", () => {
  it("settles a run whose reply reached the transcript, marks the others once, and restores lost messages", async () => {
    const s = await tempSessionStore();
    for (const runId of ["answered", "cut", "streaming", "lost"])
      s.state.runs.admit({ runId, sessionKey: KEY, idempotencyKey: runId, message: user(runId) });
    const write = (m: ChatMessage) => s.store.append(KEY, m, {});
    await write(user("answered"));
    await write({ role: "assistant", content: "the answer", timestamp: 2, runId: "answered", model: "m/x" });
    await write(user("cut"));
    await write({ role: "assistant", content: "half", timestamp: 3, runId: "cut", partial: true, stopReason: "error" });
    await write(user("streaming"));
    await s.store.flush();

    const gone = await recoverInterruptedRuns({
      ledger: s.state.runs,
      store: s.store,
      now: () => 9,
      log: silentLogger(),
    });

    expect(gone.map((r) => r.runId)).toEqual(["cut", "streaming", "lost"]);
    expect(s.state.runs.get("answered")).toMatchObject({ status: "ok", outcome: { text: "the answer", model: "m/x" } });
    const byRun = (runId: string) =>
      s.store.history(KEY, 0).then((h) => h.filter((m) => m.runId === runId).map((m) => [m.role, m.content]));
    expect(await byRun("answered")).toEqual([
      ["user", "q answered"],
      ["assistant", "the answer"],
    ]);
    expect(await byRun("cut")).toEqual([
      ["user", "q cut"],
      ["assistant", "half"],
    ]);
    expect(await byRun("streaming")).toEqual([
      ["user", "q streaming"],
      ["assistant", ""],
    ]);
    expect(await byRun("lost")).toEqual([
      ["user", "q lost"],
      ["assistant", ""],
    ]);
    expect(s.state.runs.open()).toEqual([]);
    await s.close();
  });
});
