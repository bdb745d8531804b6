import { describe, expect, it } from "vitest";
import { openTempStore, tempStateDir } from "../../test/support/temp-state.js";

describe("inbound queue", () => {
  it("queues each update id once, with the cursor in the same commit, and survives a reopen", async () => {
    const dirs = tempStateDir();
    const s = await openTempStore(dirs);
    const q = s.channel("telegram", "default").inbound;
    expect(
      q.enqueue(
        [
          { updateId: "10", payload: { text: "a" } },
          { updateId: "11", payload: { text: "b" } },
        ],
        "12",
      ),
    ).toEqual(["10", "11"]);
    expect(
      q.enqueue(
        [
          { updateId: "11", payload: { text: "b" } },
          { updateId: "12", payload: { text: "c" } },
        ],
        "13",
      ),
    ).toEqual(["12"]);
    expect(q.seen("11")).toBe(true);
    q.done((q.pending()[0] as { seq: number }).seq);
    s.close();
    const t = await openTempStore(dirs);
    const q2 = t.channel("telegram", "default").inbound;
    expect(q2.cursor()).toBe("13");
    expect(q2.pending().map((i) => [i.updateId, i.payload])).toEqual([
      ["11", { text: "b" }],
      ["12", { text: "c" }],
    ]);
    expect(q2.stats()).toEqual({ queued: 2, failed: 0, done: 1 });
    expect(t.channel("telegram", "work").inbound.pending()).toEqual([]);
    t.close();
  });

  it("sets an update aside after repeated failures so it cannot block the queue", async () => {
    const s = await openTempStore(tempStateDir());
    const q = s.channel("telegram", "default").inbound;
    q.enqueue([
      { updateId: "1", payload: {} },
      { updateId: "2", payload: {} },
    ]);
    const seq = (q.pending()[0] as { seq: number }).seq;
    expect([1, 2].map(() => q.failed(seq, "boom", 3))).toEqual(["retry", "retry"]);
    expect(q.failed(seq, "boom", 3)).toBe("dropped");
    expect(q.pending().map((i) => i.updateId)).toEqual(["2"]);
    expect(q.stats()).toMatchObject({ failed: 1, queued: 1 });
    s.close();
  });

  it("clears payloads once handled and prunes old ids", async () => {
    let now = 1_000;
    const s = await openTempStore(tempStateDir(), { now: () => now });
    const q = s.channel("telegram", "default").inbound;
    q.enqueue([{ updateId: "1", payload: { text: "private" } }]);
    q.done((q.pending()[0] as { seq: number }).seq);
    const raw = s.db.run("t", (d) => d.prepare("SELECT payload FROM channel_inbound").get()) as { payload: string };
    expect(raw.payload).toBe("{}");
    now += 100;
    expect(q.prune(50)).toBe(1);
    expect(q.seen("1")).toBe(false);
    s.close();
  });
});
