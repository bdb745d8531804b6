import { appendFileSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { tempStateDir } from "../../test/support/temp-state.js";
import { parseJsonl, repairTornTail } from "./index.js";

describe("JSONL repair", () => {
  it("truncates a torn last line so the next append starts on its own line", async () => {
    const file = path.join(tempStateDir().stateDir, "t.jsonl");
    writeFileSync(file, '{"a":1}\n{"b":2}\n{"c":');
    expect(await repairTornTail(file)).toEqual({ droppedBytes: 5, size: 16 });
    appendFileSync(file, '{"d":4}\n');
    expect(parseJsonl(readFileSync(file, "utf8"))).toEqual({ entries: [{ a: 1 }, { b: 2 }, { d: 4 }], badLines: [] });
    expect(await repairTornTail(file)).toEqual({ droppedBytes: 0, size: 24 });
    expect(await repairTornTail(path.join(path.dirname(file), "missing.jsonl"))).toEqual({ droppedBytes: 0, size: 0 });
  });

  it("counts garbled lines instead of throwing", () => {
    expect(parseJsonl('{"a":1}\nnot json\n\n{"b":2}\n{"x')).toEqual({
      entries: [{ a: 1 }, { b: 2 }],
      badLines: [2, 5],
    });
  });

  it("property: repair keeps exactly the complete lines, whatever the torn fragment and file size", async () => {
    const dir = tempStateDir().stateDir;
    let n = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.record({ v: fc.string({ maxLength: 200 }) }), { maxLength: 30 }),
        fc.string({ maxLength: 300 }).filter((s) => !s.includes("\n")),
        fc.integer({ min: 0, max: 70_000 }),
        async (records, fragment, pad) => {
          const file = path.join(dir, `p${n++}.jsonl`);
          const lines = [...records.map((r) => JSON.stringify(r)), JSON.stringify({ pad: "p".repeat(pad) })];
          const complete = lines.map((l) => `${l}\n`).join("");
          writeFileSync(file, complete + fragment);
          const res = await repairTornTail(file);
          expect(res.droppedBytes).toBe(Buffer.byteLength(fragment));
          expect(readFileSync(file, "utf8")).toBe(complete);
        },
      ),
      { numRuns: 40 },
    );
  });
});
