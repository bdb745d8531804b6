import { appendFile, mkdtemp, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { resolvePaths } from "../../config/index.js";
import { operatorMethods } from "./operator-methods.js";
import { callMethod as call } from "../../../test/support/call-method.js";

async function setup() {
  const dir = await mkdtemp(path.join(os.tmpdir(), "hf-operator-methods-"));
  const logFile = path.join(dir, "holdfast.log");
  await writeFile(path.join(dir, "holdfast.json"), "{}", { mode: 0o600 });
  const defs = operatorMethods({
    env: { HOLDFAST_STATE_DIR: dir },
    paths: resolvePaths({ HOLDFAST_STATE_DIR: dir }),
    logFile,
    checks: async () => [
      {
        id: "test.check",
        area: "config",
        run: () => [
          {
            checkId: "test.check",
            severity: "warn",
            title: "A finding quoting tok-abcdefghijklmnopqrstuvwxyz",
            detail: "d",
            remediation: "r",
          },
        ],
      },
    ],
    machine: async () => ({}) as never,
    redact: (t) => t.replaceAll("tok-abcdefghijklmnopqrstuvwxyz", "tok-ab…wxyz"),
  });
  return { defs, logFile };
}

const line = (msg: string, level = 30) => `${JSON.stringify({ level, time: 1, msg })}\n`;

describe("operator methods", () => {
  it("tails the log: the last lines first, then only what was written since the cursor", async () => {
    const { defs, logFile } = await setup();
    await writeFile(logFile, [1, 2, 3].map((n) => line(`line ${n}`)).join(""));
    const first = (await call(defs, "logs.tail", { limit: 2 })) as { cursor: number; lines: string[] };
    expect(first.lines.map((l) => (JSON.parse(l) as { msg: string }).msg)).toEqual(["line 2", "line 3"]);
    await appendFile(logFile, line("line 4") + '{"partial":');
    const next = (await call(defs, "logs.tail", { cursor: first.cursor })) as { cursor: number; lines: string[] };
    expect(next.lines.map((l) => (JSON.parse(l) as { msg: string }).msg)).toEqual(["line 4"]);
    await appendFile(logFile, '"x"}\n');
    const rest = (await call(defs, "logs.tail", { cursor: next.cursor })) as { lines: string[] };
    expect(rest.lines).toEqual(['{"partial":"x"}']);
    await writeFile(logFile, line("after rotation"));
    const reset = (await call(defs, "logs.tail", { cursor: 10_000 })) as { reset?: boolean; lines: string[] };
    expect(reset.reset).toBe(true);
    expect(reset.lines).toHaveLength(1);
  });

  it("runs the audit over the config on disk and masks what its findings quote", async () => {
    const { defs } = await setup();
    const report = (await call(defs, "security.audit", {})) as { summary: unknown; findings: { title: string }[] };
    expect(report.summary).toEqual({ critical: 0, warn: 1, info: 0 });
    expect(report.findings[0]?.title).toBe("A finding quoting tok-ab…wxyz");
  });

  it("needs operator.admin", async () => {
    const { defs } = await setup();
    expect(defs.map((d) => d.scope)).toEqual(["operator.admin", "operator.admin"]);
  });
});
