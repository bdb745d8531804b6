import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { ERROR_CATALOGUE } from "./catalogue.js";
import { NODE_RESULT_CODES, WIRE_DETAIL_CODES, WIRE_ERRORS, wireRefusal } from "./wire.js";

const doc = readFileSync(new URL("../../docs/errors.md", import.meta.url), "utf8");

/** The table rows of the `## heading` section of docs/errors.md, as arrays of cells (backticks removed). */
function rows(heading: string): string[][] {
  const start = doc.indexOf(`\n## ${heading}\n`);
  expect(start, heading).toBeGreaterThan(-1);
  const end = doc.indexOf("\n## ", start + 1);
  const section = doc.slice(start, end === -1 ? undefined : end);
  return [...section.matchAll(/^\| `([A-Z_]+)` \|(.*)\|$/gm)].map((m) => [
    m[1] as string,
    ...(m[2] as string).split(" | ").map((c) => c.trim().replace(/^`|`$/g, "")),
  ]);
}

describe("error catalogue", () => {
  it("documents every holdfast code with its exit code and wire code", () => {
    const documented = rows("holdfast codes");
    expect(documented.map((r) => r[0]).sort()).toEqual(Object.keys(ERROR_CATALOGUE).sort());
    for (const [code, exit, wire] of documented) {
      const entry = ERROR_CATALOGUE[code as keyof typeof ERROR_CATALOGUE];
      expect([code, Number(exit), wire]).toEqual([code, entry.exitCode, entry.wire]);
    }
  });

  it("documents every wire code (res.error.code)", () => {
    expect(
      rows("Wire codes (`res.error.code`)")
        .map((r) => r[0])
        .sort(),
    ).toEqual(Object.keys(WIRE_ERRORS).sort());
  });

  it("documents every wire detail code (details.code) with the wire code it comes with", () => {
    const documented = rows("Wire detail codes (`res.error.details.code`)");
    expect(documented.map((r) => r[0]).sort()).toEqual(Object.keys(WIRE_DETAIL_CODES).sort());
    for (const [code, wire] of documented)
      expect([code, wire]).toEqual([code, WIRE_DETAIL_CODES[code as keyof typeof WIRE_DETAIL_CODES].wire]);
  });

  it("documents every node result code (node.invoke.result error.code)", () => {
    const documented = rows("Node result codes (`node.invoke.result` `error.code`)");
    expect(documented.map((r) => r[0]).sort()).toEqual(Object.keys(NODE_RESULT_CODES).sort());
  });

  it("keeps the families apart", () => {
    const hf = Object.keys(ERROR_CATALOGUE);
    expect(hf.every((c) => c.startsWith("HF_"))).toBe(true);
    const wire = new Set(Object.keys(WIRE_ERRORS));
    const detail = new Set(Object.keys(WIRE_DETAIL_CODES));
    expect(Object.keys(WIRE_DETAIL_CODES).filter((c) => wire.has(c) || c.startsWith("HF_"))).toEqual([]);
    expect(Object.keys(NODE_RESULT_CODES).filter((c) => wire.has(c) || detail.has(c) || c.startsWith("HF_"))).toEqual(
      [],
    );
  });

  it("builds a refusal with the wire code its detail code names", () => {
    expect(wireRefusal("MISSING_SCOPE", "missing scope: operator.admin", { missingScope: "operator.admin" })).toEqual({
      code: "FORBIDDEN",
      message: "missing scope: operator.admin",
      details: { code: "MISSING_SCOPE", missingScope: "operator.admin" },
    });
    expect(wireRefusal("PAIRING_REQUIRED", "pairing required").code).toBe("NOT_PAIRED");
  });
});
