import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { TRANSCRIPT_CACHE_DEFAULTS, TranscriptCache, type TranscriptCacheLimits } from "./transcript-cache.js";
import type { ChatMessage } from "./types.js";

const msg = (content: string): ChatMessage => ({ role: "user", content, timestamp: 0 });
const size = (m: ChatMessage) => JSON.stringify(m).length;

type Op =
  | { op: "append"; key: number; sid: number; len: number }
  | { op: "set"; key: number; sid: number; n: number; len: number }
  | { op: "get"; key: number; sid: number }
  | { op: "delete"; key: number };

const ops = fc.array(
  fc.oneof(
    fc.record({ op: fc.constant("append" as const), key: fc.nat(12), sid: fc.nat(1), len: fc.nat(300) }),
    fc.record({ op: fc.constant("set" as const), key: fc.nat(12), sid: fc.nat(1), n: fc.nat(40), len: fc.nat(300) }),
    fc.record({ op: fc.constant("get" as const), key: fc.nat(12), sid: fc.nat(1) }),
    fc.record({ op: fc.constant("delete" as const), key: fc.nat(12) }),
  ),
  { maxLength: 300 },
);
const limits = fc.record({
  sessions: fc.integer({ min: 1, max: 6 }),
  messagesPerSession: fc.integer({ min: 1, max: 20 }),
  bytes: fc.integer({ min: 0, max: 8000 }),
});

function apply(c: TranscriptCache, o: Op): void {
  const key = `k${o.key}`;
  if (o.op === "append") c.append(key, `s${o.sid}`, msg("x".repeat(o.len)), size(msg("x".repeat(o.len))));
  else if (o.op === "set")
    c.set(
      key,
      `s${o.sid}`,
      Array.from({ length: o.n }, (_, i) => msg(`${i}`.padEnd(o.len, "y"))),
      size,
    );
  else if (o.op === "get") c.get(key, `s${o.sid}`);
  else c.delete(key);
}

describe("transcript cache", () => {
  it("never holds more sessions, messages per session or bytes than its bounds, and counts its bytes exactly", () => {
    fc.assert(
      fc.property(limits, ops, (l: TranscriptCacheLimits, seq) => {
        const c = new TranscriptCache(l);
        const held = new Map<string, string>();
        for (const o of seq) {
          apply(c, o);
          const st = c.stats();
          expect(st.sessions).toBeLessThanOrEqual(l.sessions);
          expect(st.bytes).toBeLessThanOrEqual(l.bytes);
          expect(st.messages).toBeLessThanOrEqual(l.sessions * l.messagesPerSession);
          const key = `k${o.key}`;
          if (o.op === "set") held.set(key, `s${o.sid}`);
          else if (o.op === "delete" || (o.op === "append" && held.get(key) !== `s${o.sid}`)) held.delete(key);
        }
        let bytes = 0;
        for (const [k, sid] of held) {
          const e = c.get(k, sid);
          if (!e) continue;
          expect(e.messages.length).toBeLessThanOrEqual(l.messagesPerSession);
          bytes += e.messages.reduce((n, m) => n + size(m), 0);
        }
        expect(bytes).toBe(c.stats().bytes);
      }),
    );
  });

  it("keeps the newest messages, oldest first, and says when they are no longer the whole transcript", () => {
    const c = new TranscriptCache({ sessions: 2, messagesPerSession: 3, bytes: 10_000 });
    c.set("a", "s1", [msg("m0"), msg("m1")], size);
    expect(c.get("a", "s1")).toMatchObject({ complete: true });
    for (const t of ["m2", "m3"]) c.append("a", "s1", msg(t), size(msg(t)));
    expect(c.get("a", "s1")?.messages.map((m) => m.content)).toEqual(["m1", "m2", "m3"]);
    expect(c.get("a", "s1")?.complete).toBe(false);
    expect(c.get("a", "s2")).toBeUndefined();
  });

  it("lets the least recently used session go first", () => {
    const c = new TranscriptCache({ sessions: 2, messagesPerSession: 10, bytes: 10_000 });
    c.set("a", "s", [msg("a")], size);
    c.set("b", "s", [msg("b")], size);
    c.get("a", "s");
    c.set("c", "s", [msg("c")], size);
    expect([c.get("a", "s"), c.get("b", "s"), c.get("c", "s")].map((e) => e !== undefined)).toEqual([
      true,
      false,
      true,
    ]);
  });

  it("defaults to the agent loop's history of 100 messages in 200 sessions within 8 MiB", () => {
    expect(TRANSCRIPT_CACHE_DEFAULTS).toEqual({ sessions: 200, messagesPerSession: 100, bytes: 8 * 2 ** 20 });
  });
});
