import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { ERROR_CATALOGUE } from "./catalogue.js";

const doc = readFileSync(new URL("../../docs/errors.md", import.meta.url), "utf8");
const documented = [...doc.matchAll(/^\| `([A-Z_]+)` \|/gm)].map((m) => m[1]);

describe("error catalogue", () => {
  it("documents every code in docs/errors.md", () => {
    expect(documented.sort()).toEqual(Object.keys(ERROR_CATALOGUE).sort());
  });

  it("documents the exit code of every holdfast code", () => {
    for (const [code, entry] of Object.entries(ERROR_CATALOGUE)) {
      if ("wire" in entry) continue;
      expect(doc, code).toMatch(new RegExp(`\\| \`${code}\` \\| ${entry.exitCode} \\|`));
    }
  });
});
