import path from "node:path";
import { ESLint } from "eslint";
import { describe, expect, it } from "vitest";
import { REPO_ROOT } from "../support/gateway-process.js";

// The project's own eslint.config.js, with the rules that need type information turned off (they would
// load the whole TypeScript project for a few lines of text); every other rule applies as in `npm run lint`.
const eslint = new ESLint({
  cwd: REPO_ROOT,
  overrideConfig: [
    {
      files: ["**/*.ts"],
      languageOptions: { parserOptions: { projectService: false } },
      rules: { "@typescript-eslint/no-floating-promises": "off", "@typescript-eslint/no-misused-promises": "off" },
    },
  ],
});

/** The rule ids that fire for `source` linted as the file at `file` (relative to the repo). */
async function fired(file: string, source: string): Promise<string[]> {
  const [res] = await eslint.lintText(source, { filePath: path.join(REPO_ROOT, file) });
  return (res?.messages ?? []).map((m) => m.ruleId ?? m.message);
}

describe("lint rules for errors and signatures (eslint.config.js)", () => {
  const bare = [
    'throw new Error("no code");\n',
    'throw Error("no code");\n',
    'export const e = new TypeError("no code");\n',
    "export class MyError extends Error {}\n",
  ];

  it("refuses a bare Error, TypeError or Error subclass anywhere in src/ outside src/errors", async () => {
    for (const file of ["src/channels/x.ts", "src/app/x.ts", "src/cli/commands/x.ts"])
      for (const source of bare)
        expect(await fired(file, source), `${file}: ${source}`).toEqual(["no-restricted-syntax"]);
  });

  it("allows them in src/errors and in tests (which stand in for library and OS errors)", async () => {
    for (const file of ["src/errors/x.ts", "src/channels/x.test.ts", "test/e2e/x.test.ts"])
      for (const source of bare) expect(await fired(file, source), `${file}: ${source}`).toEqual([]);
  });

  it("refuses more than 4 positional parameters", async () => {
    const five =
      "export function f(a: number, b: number, c: number, d: number, e: number): number {\n  return a + b + c + d + e;\n}\n";
    const four =
      "export function f(a: number, b: number, c: number, d: number): number {\n  return a + b + c + d;\n}\n";
    expect(await fired("src/tools/x.ts", five)).toEqual(["max-params"]);
    expect(await fired("src/tools/x.ts", four)).toEqual([]);
  });

  it("refuses a file over 400 lines", async () => {
    const lines = (n: number) => Array.from({ length: n }, (_, i) => `export const v${i} = ${i};`).join("\n") + "\n";
    expect(await fired("src/tools/x.ts", lines(401))).toEqual(["max-lines"]);
    expect(await fired("src/tools/x.ts", lines(400))).toEqual([]);
  });
});
