import { readdirSync, statSync, writeFileSync, readFileSync, truncateSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { captureLogger } from "../../test/support/capture-log.js";
import { tempStateDir } from "../../test/support/temp-state.js";
import { StateDb, StorageHealth, stateDbPath } from "./index.js";

function open(stateDir: string, log = captureLogger()) {
  const health = new StorageHealth(log.log, () => 1_800_000_000_000);
  const db = StateDb.open({ file: stateDbPath(stateDir), log: log.log, health, now: () => 1_800_000_000_000 });
  return { db, health, log };
}

describe("state database", () => {
  it("is created 600 in a 700 directory, in WAL mode, and migrated", () => {
    const { stateDir } = tempStateDir();
    const { db } = open(stateDir);
    const file = stateDbPath(stateDir);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(path.dirname(file)).mode & 0o777).toBe(0o700);
    expect(db.run("t", (d) => d.pragma("journal_mode", { simple: true }))).toBe("wal");
    expect(db.run("t", (d) => d.pragma("synchronous", { simple: true }))).toBe(2);
    db.run("t", (d) => d.prepare("INSERT INTO migrations (name, done_at) VALUES ('x', 1)").run());
    expect(statSync(`${file}-wal`).mode & 0o777).toBe(0o600);
    expect(db.recreated).toBe(false);
    db.close();
    const again = open(stateDir).db;
    expect(again.run("t", (d) => d.prepare("SELECT name FROM migrations").all())).toEqual([{ name: "x" }]);
    again.close();
  });

  it("commits a deferred-sync write with synchronous=NORMAL and is back to FULL afterwards, also after a failure", () => {
    const { stateDir } = tempStateDir();
    const { db } = open(stateDir);
    const inside = db.runDeferredSync("t", (d) => {
      d.prepare("INSERT INTO migrations (name, done_at) VALUES ('deferred', 1)").run();
      return d.pragma("synchronous", { simple: true });
    });
    expect(inside).toBe(1);
    expect(db.run("t", (d) => d.pragma("synchronous", { simple: true }))).toBe(2);
    expect(() => db.runDeferredSync("t", (d) => d.prepare("SELECT * FROM nope").all())).toThrow();
    expect(db.run("t", (d) => d.pragma("synchronous", { simple: true }))).toBe(2);
    db.close();
    const again = open(stateDir).db;
    expect(again.run("t", (d) => d.prepare("SELECT name FROM migrations WHERE name = 'deferred'").all())).toHaveLength(
      1,
    );
    again.close();
  });

  it("moves a file that is not a database aside, starts empty and records the issue", () => {
    const { stateDir } = tempStateDir();
    const file = stateDbPath(stateDir);
    open(stateDir).db.close();
    writeFileSync(file, "this is not sqlite at all, just garbage bytes ".repeat(200));
    const { db, health, log } = open(stateDir);
    expect(db.recreated).toBe(true);
    const aside = readdirSync(path.dirname(file)).filter((f) => f.includes(".corrupt."));
    expect(aside).toEqual([`holdfast.sqlite.corrupt.1800000000000`]);
    expect(readFileSync(path.join(path.dirname(file), aside[0] as string), "utf8")).toContain("garbage");
    expect(db.issues()).toEqual([
      expect.objectContaining({
        file,
        movedTo: `${file}.corrupt.1800000000000`,
        problem: expect.stringMatching(/SQLITE_NOTADB/),
      }),
    ]);
    expect(health.snapshot().corrupt).toHaveLength(1);
    expect(log.lines.some((l) => l["level"] === 50 && String(l["msg"]).includes("corrupt state file"))).toBe(true);
    db.close();
  });

  it("detects a truncated database on open", () => {
    const { stateDir } = tempStateDir();
    const file = stateDbPath(stateDir);
    const first = open(stateDir).db;
    first.tx("fill", (d) => {
      d.exec("CREATE TABLE big (v TEXT)");
      const ins = d.prepare("INSERT INTO big VALUES (?)");
      for (let i = 0; i < 400; i++) ins.run("x".repeat(500));
    });
    first.close();
    truncateSync(file, Math.floor(statSync(file).size / 2));
    const { db } = open(stateDir);
    expect(db.recreated).toBe(true);
    db.close();
  });

  it("turns a full database into HF_STATE_DISK_FULL, degrades health, and recovers", () => {
    const { stateDir } = tempStateDir();
    const { db, health } = open(stateDir);
    db.run("limit", (d) => {
      d.exec("CREATE TABLE big (v TEXT)");
      const pages = d.pragma("page_count", { simple: true }) as number;
      d.pragma(`max_page_count = ${pages + 2}`);
    });
    const fill = () =>
      db.tx("saving the message", (d) => {
        const ins = d.prepare("INSERT INTO big VALUES (?)");
        for (let i = 0; i < 100; i++) ins.run("y".repeat(4000));
      });
    expect(fill).toThrow(
      expect.objectContaining({
        code: "HF_STATE_DISK_FULL",
        message: expect.stringMatching(/^saving the message failed: the disk is full.*\(SQLITE_FULL\)$/),
        details: expect.objectContaining({ store: "state-db", cause: "disk_full", sysCode: "SQLITE_FULL" }),
      }),
    );
    expect(health.snapshot()).toMatchObject({
      ok: false,
      degraded: [{ store: "state-db", code: "HF_STATE_DISK_FULL" }],
    });
    db.run("lift", (d) => d.pragma("max_page_count = 1073741823"));
    expect(health.degraded()).toBe(false);
    fill();
    db.close();
  });

  it("refuses a schema newer than this build instead of treating it as corrupt", () => {
    const { stateDir } = tempStateDir();
    const first = open(stateDir).db;
    first.run("bump", (d) => d.pragma("user_version = 999"));
    first.close();
    expect(() => open(stateDir)).toThrow(
      expect.objectContaining({ code: "HF_STATE_IO", message: expect.stringMatching(/newer/) }),
    );
  });

  it("fails start-up with a storage error when the directory cannot be created", () => {
    const { stateDir } = tempStateDir();
    writeFileSync(path.join(stateDir, "state"), "a file where the directory should be");
    expect(() => open(stateDir)).toThrow(expect.objectContaining({ code: "HF_STATE_IO" }));
  });
});
