import { mkdir, mkdtemp, readFile, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import JSON5 from "json5";
import { describe, expect, it } from "vitest";
import { SEED_FIXTURES, type SeedFixture } from "../../test/fixtures/seeds/manifest.js";
import { parseConfigText } from "../config/index.js";
import { isHoldfastError } from "../errors/index.js";
import { AUDIT_CHECKS } from "../app/audit-checks/index.js";
import { loadAuditContext, runAudit } from "./index.js";

const DIR = new URL("../../test/fixtures/seeds/", import.meta.url);

/** The fixture as a config file text (agent-entry snippets placed under agents.list). */
async function configText(fx: SeedFixture): Promise<string> {
  const text = await readFile(new URL(fx.file, DIR), "utf8");
  return fx.wrap === "agents.list" ? JSON.stringify({ agents: { list: [JSON5.parse(text)] } }) : text;
}

/** Audits the fixture in a fresh private state dir with only the fixture's env. */
async function audit(fx: SeedFixture) {
  const stateDir = await mkdtemp(path.join(os.tmpdir(), "holdfast-seed-"));
  await mkdir(stateDir, { recursive: true, mode: 0o700 });
  await writeFile(path.join(stateDir, "holdfast.json"), await configText(fx), { mode: 0o600 });
  const ctx = await loadAuditContext({
    env: { HOLDFAST_STATE_DIR: stateDir, ...(fx.env ?? {}) },
    logDir: path.join(stateDir, "logs"),
  });
  return runAudit(ctx, AUDIT_CHECKS);
}

describe("seed config snippets", () => {
  it("covers every fixture file", async () => {
    const { readdir } = await import("node:fs/promises");
    const files = (await readdir(DIR)).filter((f) => /\.json5?$/.test(f));
    expect(new Set(SEED_FIXTURES.map((f) => f.file))).toEqual(new Set(files));
  });

  for (const fx of SEED_FIXTURES) {
    it(`${fx.source} (${fx.file})`, async () => {
      const text = await configText(fx);
      const env = fx.env ?? {};
      if (fx.error) {
        const err = (() => {
          try {
            parseConfigText(text, fx.file, env);
            return undefined;
          } catch (e) {
            return e;
          }
        })();
        expect(isHoldfastError(err, fx.error.code), `expected ${fx.error.code}, got ${String(err)}`).toBe(true);
        expect((err as Error).message).toContain(fx.error.includes);
        return;
      }
      const loaded = parseConfigText(text, fx.file, env);
      for (const w of fx.warnings ?? []) expect(loaded.warnings.join("\n")).toContain(w);
      const report = await audit(fx);
      const got = report.findings.map((f) => `${f.checkId}:${f.severity}`);
      for (const want of fx.findings ?? []) expect(got).toContain(`${want.checkId}:${want.severity}`);
      for (const id of fx.absent ?? []) expect(report.findings.map((f) => f.checkId)).not.toContain(id);
      if (fx.baseline) expect(report.findings.filter((f) => f.severity === "critical")).toEqual([]);
      expect(report.findings.map((f) => f.checkId)).toContain("summary.attack_surface");
    });
  }
});
