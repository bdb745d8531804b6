import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { chainEntry, verifyChain } from "./chain.js";
import type { TrailEntry } from "./types.js";

const body = fc.record({
  ts: fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
  type: fc.constantFrom("auth.failed", "pairing.approved", "config.changed", "tool.refused"),
  details: fc.dictionary(fc.string({ minLength: 1, maxLength: 8 }), fc.oneof(fc.string(), fc.integer(), fc.boolean()), {
    maxKeys: 3,
  }),
});

function build(bodies: readonly Omit<TrailEntry, "seq" | "prev" | "hash">[]): string[] {
  let last: TrailEntry | undefined;
  return bodies.map((b) => JSON.stringify((last = chainEntry(last, b))));
}

const headOf = (lines: readonly string[]) => {
  const e = JSON.parse(lines[lines.length - 1] as string) as TrailEntry;
  return { seq: e.seq, hash: e.hash };
};

describe("security trail hash chain (property)", () => {
  it("an untouched chain verifies, whatever it holds", () => {
    fc.assert(
      fc.property(fc.array(body, { minLength: 1, maxLength: 12 }), (bodies) => {
        const lines = build(bodies);
        expect(verifyChain(lines, headOf(lines))).toMatchObject({ ok: true, entries: bodies.length });
      }),
    );
  });

  it("changing, removing or reordering any line is caught, at or before the line touched", () => {
    const tamper = fc.oneof(
      fc.record({ kind: fc.constant("change" as const), detail: fc.string({ minLength: 1 }) }),
      fc.record({ kind: fc.constant("remove" as const) }),
      fc.record({ kind: fc.constant("swap" as const) }),
      fc.record({ kind: fc.constant("rehash" as const), detail: fc.string({ minLength: 1 }) }),
    );
    fc.assert(
      fc.property(fc.array(body, { minLength: 2, maxLength: 10 }), fc.nat(), tamper, (bodies, at, t) => {
        const lines = build(bodies);
        const head = headOf(lines);
        const i = at % lines.length;
        const e = JSON.parse(lines[i] as string) as TrailEntry;
        const changed = {
          ...e,
          details: { ...e.details, injected: t.kind === "change" || t.kind === "rehash" ? t.detail : "" },
        };
        if (t.kind === "change") lines[i] = JSON.stringify(changed);
        else if (t.kind === "rehash")
          lines[i] = JSON.stringify(chainEntry(i === 0 ? undefined : { seq: e.seq - 1, hash: e.prev }, changed));
        else if (t.kind === "remove") lines.splice(i, 1);
        else {
          const j = (i + 1) % lines.length;
          [lines[i], lines[j]] = [lines[j] as string, lines[i] as string];
        }
        const v = verifyChain(lines, head);
        expect(v.ok).toBe(false);
        if (!v.ok) expect(v.line).toBeLessThanOrEqual(Math.max(i, (i + 1) % bodies.length) + 1);
      }),
    );
  });

  it("names the first broken line", () => {
    const lines = build([
      { ts: "2026-01-01T00:00:00.000Z", type: "a.b" },
      { ts: "2026-01-01T00:00:01.000Z", type: "a.c" },
      { ts: "2026-01-01T00:00:02.000Z", type: "a.d" },
    ]);
    lines[1] = (lines[1] as string).replace('"a.c"', '"a.x"');
    expect(verifyChain(lines)).toMatchObject({ ok: false, line: 2, seq: 2, entries: 1 });
    expect(verifyChain(build([{ ts: "x", type: "a" }]).concat("not json"))).toMatchObject({ ok: false, line: 2 });
  });

  it("lines cut off the end are caught with the head, not without it", () => {
    const lines = build([
      { ts: "t1", type: "a" },
      { ts: "t2", type: "b" },
    ]);
    const head = headOf(lines);
    expect(verifyChain(lines.slice(0, 1))).toMatchObject({ ok: true });
    expect(verifyChain(lines.slice(0, 1), head)).toMatchObject({ ok: false, line: 2 });
    expect(verifyChain([], head)).toMatchObject({ ok: false, line: 1 });
  });
});
