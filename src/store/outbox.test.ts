import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { openTempStore, tempStateDir } from "../../test/support/temp-state.js";

describe("outbox", () => {
  it("reserves, plans once, sends chunks in order and never resends a sent one", async () => {
    const dirs = tempStateDir();
    const s = await openTempStore(dirs);
    const o = s.channel("telegram", "default").outbox;
    o.reserve("u1", { chatId: "42", replyTo: "7" }, "run-1");
    o.reserve("u1", { chatId: "other" }, "run-2");
    expect(o.awaiting()).toEqual([
      expect.objectContaining({ replyKey: "u1", runId: "run-1", target: { chatId: "42", replyTo: "7" } }),
    ]);
    expect(o.plan("u1", { chatId: "42", replyTo: "7" }, ["one", "two"])).toBe(true);
    expect(o.plan("u1", { chatId: "42" }, ["different"])).toBe(false);
    expect(o.awaiting()).toEqual([]);
    expect(o.reservation("u1")).toMatchObject({ planned: true, runId: "run-1" });
    const [a, b] = o.due();
    expect([a?.text, a?.chunk, a?.of, b?.text]).toEqual(["one", 0, 2, "two"]);
    o.markSending(a?.seq as number);
    o.markSent(a?.seq as number, "m100");
    o.markSending(b?.seq as number);
    s.close();
    const t = await openTempStore(dirs);
    const o2 = t.channel("telegram", "default").outbox;
    expect(o2.due().map((c) => [c.text, c.state])).toEqual([["two", "sending"]]);
    expect(o2.stats()).toEqual({ awaiting: 0, pending: 0, unconfirmed: 1, sent: 1, failed: 0 });
    o2.markFailed(b?.seq as number, "refused", true);
    expect(o2.due()).toEqual([]);
    expect(o2.chunks("u1").map((c) => [c.state, c.platformId])).toEqual([
      ["sent", "m100"],
      ["failed", undefined],
    ]);
    t.close();
  });

  it("property: across crashes at any point every chunk is delivered, in order, and only an unconfirmed one twice", async () => {
    const crashPoint = fc.constantFrom("none", "before-send", "after-send", "after-confirm");
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 1, maxLength: 5 }),
        fc.array(crashPoint, { minLength: 1, maxLength: 12 }),
        async (replies, crashes) => {
          const dirs = tempStateDir("hf-outbox-");
          let store = await openTempStore(dirs);
          const delivered: string[] = [];
          const ambiguous = new Set<string>();
          replies.forEach((n, r) =>
            store.channel("t", "a").outbox.plan(
              `u${r}`,
              { chatId: "1" },
              Array.from({ length: n }, (_, i) => `r${r}c${i}`),
            ),
          );
          let step = 0;
          for (;;) {
            const box = store.channel("t", "a").outbox;
            const next = box.due(1)[0];
            if (!next) break;
            const crash = crashes[step++ % crashes.length];
            const restart = async () => {
              store.close();
              store = await openTempStore(dirs);
            };
            box.markSending(next.seq);
            if (crash === "before-send" && step < crashes.length) {
              await restart();
              continue;
            }
            delivered.push(next.text);
            if (crash === "after-send" && step < crashes.length) {
              ambiguous.add(next.text);
              await restart();
              continue;
            }
            box.markSent(next.seq, String(delivered.length));
            if (crash === "after-confirm" && step < crashes.length) await restart();
          }
          store.close();
          const expected = replies.flatMap((n, r) => Array.from({ length: n }, (_, i) => `r${r}c${i}`));
          expect([...new Set(delivered)]).toEqual(expected);
          for (const text of expected) {
            const times = delivered.filter((d) => d === text).length;
            if (!ambiguous.has(text)) expect(times, text).toBe(1);
          }
        },
      ),
      { numRuns: 20 },
    );
  });
});
