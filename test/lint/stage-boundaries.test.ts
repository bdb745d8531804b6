import path from "node:path";
import { ESLint } from "eslint";
import tseslint from "typescript-eslint";
import { describe, expect, it } from "vitest";
import { stageBoundaries } from "../../eslint.boundaries.js";
import { REPO_ROOT } from "../support/gateway-process.js";

// Only the boundary rules (as eslint.config.js uses them), so the test does not depend on the rest.
const eslint = new ESLint({
  cwd: REPO_ROOT,
  overrideConfigFile: true,
  overrideConfig: [{ files: ["**/*.ts"], languageOptions: { parser: tseslint.parser } }, ...stageBoundaries],
});

/** The no-restricted-imports messages for `source` linted as the file at `file` (relative to the repo). */
async function restricted(file: string, source: string): Promise<string[]> {
  const [res] = await eslint.lintText(source, { filePath: path.join(REPO_ROOT, file) });
  return (res?.messages ?? []).filter((m) => m.ruleId === "no-restricted-imports").map((m) => m.message);
}

describe("stage boundaries (eslint no-restricted-imports)", () => {
  it("refuses another stage's internals from a stage, at any depth, and from tests outside src", async () => {
    for (const [file, spec] of [
      ["src/channels/x.ts", "../tools/stage.js"],
      ["src/channels/telegram/x.ts", "../../tools/stage.js"],
      ["src/channels/x.test.ts", "../sandbox/manager.js"],
      ["test/e2e/x.test.ts", "../../src/tools/stage.js"],
      ["test/support/x.ts", "../../src/gateway/server.js"],
      ["bench/x.ts", "../src/sandbox/bubblewrap.js"],
    ] as const)
      expect(await restricted(file, `export * from "${spec}";\n`), `${file} → ${spec}`).toEqual([
        expect.stringContaining("public entry"),
      ]);
  });

  it("allows public entries, public sub-entries and a stage's own modules", async () => {
    for (const [file, spec] of [
      ["src/channels/x.ts", "../tools/index.js"],
      ["src/app/x.ts", "../channels/webchat/index.js"],
      ["src/app/x.ts", "../tools/audit/index.js"],
      ["src/channels/x.ts", "./webchat/stage.js"],
      ["src/channels/telegram/x.ts", "../pipeline.js"],
      ["test/e2e/x.test.ts", "../../src/client/index.js"],
      ["test/e2e/x.test.ts", "../support/chat.js"],
    ] as const)
      expect(await restricted(file, `export * from "${spec}";\n`), `${file} → ${spec}`).toEqual([]);
  });

  it("keeps client/ off the composition root", async () => {
    expect(await restricted("src/client/x.ts", 'export * from "../app/index.js";\n')).toEqual([
      expect.stringContaining("must not depend on the composition root"),
    ]);
  });
});
