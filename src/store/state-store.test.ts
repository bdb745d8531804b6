import { describe, expect, it } from "vitest";
import { openTempStore, tempStateDir } from "../../test/support/temp-state.js";
import { INBOUND_RETENTION_MS } from "./inbound-queue.js";
import { LEDGER_RETENTION_MS, type StateStore } from "./index.js";
import { OUTBOX_RETENTION_MS } from "./outbox.js";

const DAY = 86_400_000;

/** One handled and one queued update, one sent and one unsent chunk on a channel account. */
function fill(s: StateStore, channel: string, account: string): void {
  const q = s.channel(channel, account);
  q.inbound.enqueue([
    { updateId: "1", payload: { text: "handled" } },
    { updateId: "2", payload: { text: "queued" } },
  ]);
  const [handled] = q.inbound.pending(1);
  q.inbound.done((handled as { seq: number }).seq);
  q.outbox.plan("sent", { chatId: "c" }, ["sent chunk"]);
  const [chunk] = q.outbox.due(1);
  q.outbox.markSending((chunk as { seq: number }).seq);
  q.outbox.markSent((chunk as { seq: number }).seq, "p1");
  q.outbox.plan("owed", { chatId: "c" }, ["owed chunk"]);
}

describe("state store: expired rows", () => {
  it("deletes finished runs, sent chunks and handled updates of every channel account once past retention, nothing else", async () => {
    expect([LEDGER_RETENTION_MS, OUTBOX_RETENTION_MS, INBOUND_RETENTION_MS]).toEqual([7 * DAY, 7 * DAY, 7 * DAY]);
    let now = 1_000 * DAY;
    const dirs = tempStateDir();
    const a = await openTempStore(dirs, { now: () => now });
    a.runs.admit({ runId: "done", sessionKey: "k", idempotencyKey: "1", message: {} });
    a.runs.finish("done", "ok", { text: "x" });
    a.runs.admit({ runId: "open", sessionKey: "k", idempotencyKey: "2", message: {} });
    fill(a, "telegram", "default");
    fill(a, "slack", "work");
    expect(a.pruneExpired()).toEqual({ runs: 0, outboxChunks: 0, inboundUpdates: 0 });
    a.close();

    now += 7 * DAY + 1;
    const b = await openTempStore(dirs, { now: () => now }); // queues it never opened are found in the file
    expect(b.pruneExpired()).toEqual({ runs: 1, outboxChunks: 2, inboundUpdates: 2 });
    expect(b.runs.get("done")).toBeUndefined();
    expect(b.runs.get("open")?.status).toBe("accepted");
    for (const [channel, account] of [
      ["telegram", "default"],
      ["slack", "work"],
    ] as const) {
      const q = b.channel(channel, account);
      expect(q.inbound.pending().map((i) => i.updateId)).toEqual(["2"]);
      expect(q.inbound.seen("1")).toBe(false);
      expect(q.outbox.due().map((c) => c.text)).toEqual(["owed chunk"]);
    }
    expect(b.pruneExpired()).toEqual({ runs: 0, outboxChunks: 0, inboundUpdates: 0 });
    b.close();
  });
});
