import { chmod, mkdtemp, readdir, readFile, utimes, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { instanceId } from "../../src/logging/index.js";
import { makeStateDir, runCli, spawnGateway, type GatewayProcess } from "../support/gateway-process.js";

const DAY_MS = 86_400_000;

const privateDir = async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), "holdfast-logs-"));
  await chmod(dir, 0o700);
  return dir;
};

/** A JSON log line as an earlier gateway wrote it. */
const oldLine = (msg: string, at: number) => `${JSON.stringify({ level: 30, time: at, pid: 1, msg })}\n`;

describe("holdfast logs and log retention through real processes", () => {
  it("two gateways sharing a logging.file: holdfast logs shows each only its own lines, --all-instances both", async () => {
    const file = path.join(await privateDir(), "shared.log");
    const [a, b] = [await makeStateDir({ logging: { file } }), await makeStateDir({ logging: { file } })];
    const running: GatewayProcess[] = [];
    try {
      running.push(await spawnGateway(a as string), await spawnGateway(b as string));
      const [ga, gb] = running as [GatewayProcess, GatewayProcess];
      const own = await runCli(a as string, ["logs", "--limit", "100"]);
      expect(own.code, own.stderr).toBe(0);
      expect(own.stdout).toContain(`[pid ${ga.proc.pid}] gateway listening`);
      expect(own.stdout).not.toContain(`[pid ${gb.proc.pid}]`);
      const theirs = await runCli(b as string, ["logs", "--limit", "100", "--json"]);
      const records = theirs.stdout
        .trim()
        .split("\n")
        .map((l) => JSON.parse(l) as { pid: number; instance: string });
      expect(records.length).toBeGreaterThan(0);
      for (const r of records) expect(r).toMatchObject({ pid: gb.proc.pid, instance: instanceId(b as string) });
      const all = await runCli(a as string, ["logs", "--limit", "100", "--all-instances"]);
      for (const [g, dir] of [
        [ga, a],
        [gb, b],
      ] as const)
        expect(all.stdout).toMatch(
          new RegExp(`\\[pid ${g.proc.pid}\\] gateway listening .*instance=${instanceId(dir)}`),
        );
    } finally {
      for (const g of running) await g.stop();
    }
  }, 60_000);

  it("a configured logging.file keeps logging.maxFiles days: an earlier day's file moves aside, older archives go", async () => {
    const logDir = await privateDir();
    const file = path.join(logDir, "gw.log");
    const stateDir = await makeStateDir({ logging: { file, maxFiles: 3 } });
    const now = Date.now();
    const written = { [file]: 1, [`${file}.1`]: 1.9, [`${file}.2`]: 10 };
    for (const [f, days] of Object.entries(written)) {
      const at = now - days * DAY_MS;
      await writeFile(f, oldLine(`written ${days} days ago`, at), { mode: 0o600 });
      await utimes(f, new Date(at), new Date(at));
    }
    const gw = await spawnGateway(stateDir);
    try {
      expect((await readdir(logDir)).sort()).toEqual(["gw.log", "gw.log.1", "gw.log.2"]);
      expect(await readFile(`${file}.1`, "utf8")).toContain("written 1 days ago");
      expect(await readFile(`${file}.2`, "utf8")).toContain("written 1.9 days ago");
      expect(await readFile(file, "utf8")).not.toContain("days ago");
      const logs = await runCli(stateDir, ["logs", "--limit", "1000"]);
      expect(logs.stdout).toContain("written 1 days ago");
      expect(logs.stdout).toContain(`[pid ${gw.proc.pid}] gateway listening`);
      expect(logs.stdout).not.toContain("written 10 days ago");
    } finally {
      await gw.stop();
    }
  }, 60_000);
});
