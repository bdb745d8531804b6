import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { RunEvent } from "../../agent/index.js";
import { deltaThrottle, type ThrottleTimers } from "./delta-throttle.js";

/** A manual clock and timers: `advance(ms)` moves time and fires the timers that came due. */
function manualTime() {
  let now = 0;
  const due = new Map<number, { at: number; fn: () => void }>();
  let next = 1;
  const timers: ThrottleTimers = {
    set: (fn, ms) => {
      due.set(next, { at: now + ms, fn });
      return next++;
    },
    clear: (h) => void due.delete(h as number),
  };
  const advance = (ms: number) => {
    const until = now + ms;
    for (;;) {
      const first = [...due.entries()].sort((a, b) => a[1].at - b[1].at)[0];
      if (!first || first[1].at > until) break;
      due.delete(first[0]);
      now = first[1].at;
      first[1].fn();
    }
    now = until;
  };
  return { now: () => now, timers, advance, pending: () => due.size };
}

const base = { runId: "r1", agentId: "main", sessionKey: "agent:main:s", seq: 0 };
const delta = (text: string, accumulated: string): RunEvent => ({
  ...base,
  event: { type: "delta", text, accumulated },
});
const final = (text: string): RunEvent => ({ ...base, event: { type: "final", text, stopReason: "stop" } });

function setup() {
  const t = manualTime();
  const out: RunEvent[] = [];
  /** When each delta went out. */
  const sentAt: number[] = [];
  const emit = (e: RunEvent) => {
    out.push(e);
    if (e.event.type === "delta") sentAt.push(t.now());
  };
  const push = deltaThrottle({ emit, now: t.now, timers: t.timers });
  return { t, out, push, sentAt };
}

const summary = (out: RunEvent[]) =>
  out.map((e) => [
    e.seq,
    e.event.type,
    e.event.type === "delta" ? e.event.text : "",
    e.event.type === "delta" ? e.event.accumulated : "",
  ]);

describe("deltaThrottle", () => {
  it("sends the first delta at once and merges the next ones until the interval ends", () => {
    const { t, out, push } = setup();
    push(delta("He", "He"));
    t.advance(40);
    push(delta("ll", "Hell"));
    t.advance(40);
    push(delta("o", "Hello"));
    expect(summary(out)).toEqual([[1, "delta", "He", "He"]]);
    t.advance(70);
    expect(summary(out)).toEqual([
      [1, "delta", "He", "He"],
      [2, "delta", "llo", "Hello"],
    ]);
    push(delta("!", "Hello!"));
    expect(out).toHaveLength(2);
  });

  it("sends held text just before the final, in order, and keeps no timer for the finished run", () => {
    const { t, out, push } = setup();
    push(delta("o", "o"));
    push(delta("k", "ok"));
    push(final("ok"));
    expect(summary(out)).toEqual([
      [1, "delta", "o", "o"],
      [2, "delta", "k", "ok"],
      [3, "final", "", ""],
    ]);
    expect(t.pending()).toBe(0);
  });

  it("sends held text before a tool step, and paces each run on its own", () => {
    const { out, push } = setup();
    push(delta("a", "a"));
    push(delta("b", "ab"));
    push({ ...base, runId: "r2", event: { type: "delta", text: "x", accumulated: "x" } });
    push({ ...base, event: { type: "tool", phase: "start", name: "read", toolCallId: "c1" } });
    expect(out.map((e) => [e.runId, e.seq, e.event.type])).toEqual([
      ["r1", 1, "delta"],
      ["r2", 1, "delta"],
      ["r1", 2, "delta"],
      ["r1", 3, "tool"],
    ]);
  });

  it("keeps the streamed text whole and in order, numbers events without gaps, and spaces deltas by the interval", () => {
    const chunk = fc.record({
      text: fc.string({ minLength: 1, maxLength: 4 }),
      gapMs: fc.integer({ min: 0, max: 400 }),
    });
    fc.assert(
      fc.property(fc.array(chunk, { maxLength: 30 }), (chunks) => {
        const { t, out, push, sentAt } = setup();
        let acc = "";
        for (const c of chunks) {
          t.advance(c.gapMs);
          acc += c.text;
          push(delta(c.text, acc));
        }
        push(final(acc));
        const deltas = out.filter((e) => e.event.type === "delta");
        expect(deltas.map((e) => (e.event.type === "delta" ? e.event.text : "")).join("")).toBe(acc);
        const last = deltas.at(-1)?.event;
        if (last?.type === "delta") expect(last.accumulated).toBe(acc);
        expect(out.map((e) => e.seq)).toEqual(out.map((_, i) => i + 1));
        expect(out.at(-1)?.event.type).toBe("final");
        // Every gap is at least the interval, except the flush just before the final.
        for (let i = 1; i < sentAt.length - 1; i++)
          expect((sentAt[i] ?? 0) - (sentAt[i - 1] ?? 0)).toBeGreaterThanOrEqual(150);
        expect(t.pending()).toBe(0);
      }),
    );
  });
});
