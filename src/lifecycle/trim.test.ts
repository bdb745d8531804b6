import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { ChatMessage } from "../sessions/index.js";
import { trimMessages } from "./trim.js";

const DAY = 86_400_000;
const NOW = 1_800_000_000_000;

const messageArb: fc.Arbitrary<ChatMessage> = fc.oneof(
  fc.record({ role: fc.constant("user" as const), content: fc.string(), timestamp: fc.integer({ min: 0, max: 10 }) }),
  fc.record({
    role: fc.constant("assistant" as const),
    content: fc.string(),
    timestamp: fc.integer({ min: 0, max: 10 }),
  }),
  fc.record({
    role: fc.constant("tool" as const),
    toolCallId: fc.string(),
    name: fc.constant("exec"),
    content: fc.string(),
    timestamp: fc.integer({ min: 0, max: 10 }),
  }),
);

/** Messages in time order, timestamps counted in days back from NOW (0 = today). */
const transcriptArb = fc
  .array(messageArb, { maxLength: 40 })
  .map((ms) => ms.map((m, i) => ({ ...m, timestamp: NOW - (ms.length - i) * DAY })));

describe("trimMessages (sessionPruning)", () => {
  it("keeps the newest maxMessages", () => {
    const ms: ChatMessage[] = [1, 2, 3, 4].map((i) => ({ role: "user", content: `m${i}`, timestamp: i }));
    expect(trimMessages(ms, { maxMessages: 2 }, NOW).map((m) => m.content)).toEqual(["m3", "m4"]);
    expect(trimMessages(ms, {}, NOW)).toBe(ms);
  });

  it("drops messages older than maxAge and tool results left without their call", () => {
    const ms: ChatMessage[] = [
      {
        role: "assistant",
        content: "",
        timestamp: NOW - 3 * DAY,
        toolCalls: [{ id: "t", name: "exec", arguments: {} }],
      },
      { role: "tool", toolCallId: "t", name: "exec", content: "out", timestamp: NOW - DAY },
      { role: "user", content: "recent", timestamp: NOW - DAY },
    ];
    expect(trimMessages(ms, { maxAgeMs: 2 * DAY }, NOW).map((m) => m.content)).toEqual(["recent"]);
  });

  it("property: the result is a suffix, within both limits, and never starts with a tool result", () => {
    fc.assert(
      fc.property(
        transcriptArb,
        fc.option(fc.integer({ min: 1, max: 30 }), { nil: undefined }),
        fc.option(fc.integer({ min: 1, max: 30 }), { nil: undefined }),
        (ms, maxMessages, days) => {
          const pruning = {
            ...(maxMessages !== undefined ? { maxMessages } : {}),
            ...(days !== undefined ? { maxAgeMs: days * DAY } : {}),
          };
          const kept = trimMessages(ms, pruning, NOW);
          expect(kept).toEqual(ms.slice(ms.length - kept.length));
          if (maxMessages !== undefined) expect(kept.length).toBeLessThanOrEqual(maxMessages);
          if (days !== undefined) for (const m of kept) expect(NOW - m.timestamp).toBeLessThanOrEqual(days * DAY);
          expect(kept[0]?.role).not.toBe("tool");
        },
      ),
    );
  });
});
