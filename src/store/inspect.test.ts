import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { openTempStore, tempStateDir } from "../../test/support/temp-state.js";
import { inspectStorage, stateDbPath } from "./index.js";

const ID = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, "0")}`;

describe("storage inspection (doctor)", () => {
  it("names quarantined files with their fix, orphans, torn and garbled transcripts, pending legacy files", async () => {
    const dirs = tempStateDir();
    const sessions = path.join(dirs.agentsDir, "main", "sessions");
    mkdirSync(sessions, { recursive: true });
    writeFileSync(path.join(sessions, "sessions.json"), "{broken");
    const s = await openTempStore(dirs, { now: () => 1_900_000_000_000 });
    s.close();
    writeFileSync(path.join(sessions, "sessions.json"), "{}");
    writeFileSync(path.join(sessions, `${ID(1)}.jsonl`), '{"type":"session","id":"x"}\nnot json\n{"type":"message"');
    const findings = await inspectStorage(dirs);
    const about = (file: string) => findings.filter((f) => f.file === file);
    expect(about(path.join(sessions, "sessions.json")).map((f) => f.problem)).toEqual([
      expect.stringMatching(
        /moved aside on 2030-03-17T17:46:40.000Z to .*sessions\.json\.corrupt\.1900000000000 \(not JSON/,
      ),
      expect.stringMatching(/not yet imported/),
    ]);
    expect(about(path.join(sessions, "sessions.json"))[0]?.fix).toMatch(/rebuilt from the transcripts/);
    const t = about(path.join(sessions, `${ID(1)}.jsonl`));
    expect(t.map((f) => f.problem)).toEqual([
      "transcript is not in the session index (it does not show in sessions list)",
      "transcript ends with a torn (incomplete) line",
      expect.stringMatching(/^1 garbled line\(s\) \(line 2\)/),
    ]);
    expect(t[0]?.fix).toMatch(/holdfast doctor --fix/);
  });

  it("reports an unreadable state database as critical", async () => {
    const dirs = tempStateDir();
    (await openTempStore(dirs)).close();
    writeFileSync(stateDbPath(dirs.stateDir), "x".repeat(8192));
    expect(await inspectStorage(dirs)).toEqual([
      expect.objectContaining({
        severity: "critical",
        file: stateDbPath(dirs.stateDir),
        fix: expect.stringMatching(/restart the gateway/),
      }),
    ]);
  });
});
