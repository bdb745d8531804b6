import { readdirSync, statSync, writeFileSync, readFileSync, truncateSync } from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { captureLogger } from "../../test/support/capture-log.js";
import { tempStateDir } from "../../test/support/temp-state.js";
import { StateDb, StorageHealth, stateDbPath } from "./index.js";
import { STATE_DB_CACHE_KIB } from "./state-db.js";
import { STATEMENT_CACHE_SIZE } from "./statement-cache.js";

function open(stateDir: string, log = captureLogger()) {
  const health = new StorageHealth(log.log, () => 1_800_000_000_000);
  const db = StateDb.open({ file: stateDbPath(stateDir), log: log.log, health, now: () => 1_800_000_000_000 });
  return { db, health, log };
}

describe("state database", () => {
  it("is created 600 in a 700 directory, in WAL mode, with a bounded page cache, and migrated", () => {
    const { stateDir } = tempStateDir();
    const { db } = open(stateDir);
    const file = stateDbPath(stateDir);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(path.dirname(file)).mode & 0o777).toBe(0o700);
    expect(db.run("t", (d) => d.pragma("journal_mode", { simple: true }))).toBe("wal");
    expect(db.run("t", (d) => d.pragma("synchronous", { simple: true }))).toBe(2);
    // The page cache is bounded at 2 MiB, not better-sqlite3's 16 MiB default.
    expect(db.run("t", (d) => d.pragma("cache_size", { simple: true }))).toBe(-STATE_DB_CACHE_KIB);
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

  it("commits a deferred-sync transaction as one, and inside another transaction leaves the sync level to it", () => {
    const { stateDir } = tempStateDir();
    const { db } = open(stateDir);
    const names = () => db.run("t", (d) => d.prepare("SELECT name FROM migrations ORDER BY name").all());
    const level = db.txDeferredSync("t", (d) => {
      d.prepare("INSERT INTO migrations (name, done_at) VALUES ('a', 1)").run();
      d.prepare("INSERT INTO migrations (name, done_at) VALUES ('b', 1)").run();
      return d.pragma("synchronous", { simple: true });
    });
    expect(level).toBe(1);
    expect(() =>
      db.txDeferredSync("t", (d) => {
        d.prepare("INSERT INTO migrations (name, done_at) VALUES ('c', 1)").run();
        d.prepare("SELECT * FROM nope").all();
      }),
    ).toThrow();
    expect(names()).toEqual([{ name: "a" }, { name: "b" }]);
    const nested = db.tx("t", (d) =>
      db.runDeferredSync("t", () => {
        d.prepare("INSERT INTO migrations (name, done_at) VALUES ('d', 1)").run();
        return d.pragma("synchronous", { simple: true });
      }),
    );
    expect(nested).toBe(2);
    expect(db.run("t", (d) => d.pragma("synchronous", { simple: true }))).toBe(2);
    db.close();
    const again = open(stateDir).db;
    expect(again.run("t", (d) => d.prepare("SELECT name FROM migrations ORDER BY name").all())).toEqual([
      { name: "a" },
      { name: "b" },
      { name: "d" },
    ]);
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

  it("commits writes queued together in one transaction, each in its own savepoint, settled after the commit", async () => {
    const { stateDir } = tempStateDir();
    const { db } = open(stateDir);
    const other = new Database(stateDbPath(stateDir), { readonly: true });
    const visible = () => (other.prepare("SELECT count(*) AS n FROM migrations").get() as { n: number }).n;
    const seenByOthers: number[] = [];
    const seenInside: number[] = [];
    const write = (name: string) =>
      db.grouped("t", (d) => {
        d.prepare("INSERT INTO migrations (name, done_at) VALUES (?, 1)").run(name);
        seenByOthers.push(visible());
        seenInside.push((d.prepare("SELECT count(*) AS n FROM migrations").get() as { n: number }).n);
        return name;
      });
    const results = await Promise.allSettled([write("a"), write("b"), write("a"), write("c")]);
    expect(results.map((r) => r.status)).toEqual(["fulfilled", "fulfilled", "rejected", "fulfilled"]);
    expect(results[2]).toMatchObject({ reason: { code: "HF_STATE_IO" } });
    // One transaction: no other connection saw any of them before the group's commit.
    expect(seenByOthers).toEqual([0, 0, 0]);
    expect(seenInside).toEqual([1, 2, 3]);
    expect(visible()).toBe(3);
    other.close();
    db.close();
  });

  it("commits a synced-soon write at once, fsyncs the log off the main thread after it, and reports a failed fsync to health", async () => {
    const { stateDir } = tempStateDir();
    const log = captureLogger();
    const health = new StorageHealth(log.log);
    const fsyncs: Array<{ fail: (err: Error) => void; done: () => void }> = [];
    const logSync = {
      durable: () => new Promise<void>((done, fail) => fsyncs.push({ done, fail })),
      close: () => undefined,
    };
    const db = StateDb.open({ file: stateDbPath(stateDir), log: log.log, health, logSync });
    const other = new Database(stateDbPath(stateDir), { readonly: true });
    const names = () =>
      other.prepare("SELECT name FROM migrations WHERE name LIKE 'soon-%' ORDER BY name").pluck().all();

    expect(
      db.runSyncedSoon(
        "t",
        (d) => d.prepare("INSERT INTO migrations (name, done_at) VALUES ('soon-a', 1)").run().changes,
      ),
    ).toBe(1);
    // Returned before its fsync finished, and already visible to another connection.
    expect(fsyncs).toHaveLength(1);
    expect(names()).toEqual(["soon-a"]);
    fsyncs[0]?.done();

    db.runSyncedSoon("t", (d) => d.prepare("INSERT INTO migrations (name, done_at) VALUES ('soon-b', 1)").run());
    fsyncs[1]?.fail(Object.assign(new Error("EIO: i/o error, fsync"), { code: "EIO" }));
    await new Promise((r) => setImmediate(r));
    expect(health.degraded()).toBe(true);
    expect(health.condition("state-db")).toMatchObject({ code: "HF_STATE_IO" });
    expect(names()).toEqual(["soon-a", "soon-b"]);
    other.close();
    db.close();
  });

  it("rejects every write of a group whose transaction fails and keeps none of them", async () => {
    const { stateDir } = tempStateDir();
    const { db } = open(stateDir);
    db.run("limit", (d) => {
      d.exec("CREATE TABLE big (v TEXT)");
      d.pragma(`max_page_count = ${(d.pragma("page_count", { simple: true }) as number) + 2}`);
    });
    const small = db.grouped("t", (d) => d.prepare("INSERT INTO big VALUES ('s')").run().changes);
    const huge = db.grouped("t", (d) => {
      const ins = d.prepare("INSERT INTO big VALUES (?)");
      for (let i = 0; i < 100; i++) ins.run("y".repeat(4000));
    });
    const results = await Promise.allSettled([small, huge]);
    // SQLITE_FULL rolls the whole transaction back: the small write that had succeeded is not kept.
    expect(results).toEqual([
      { status: "rejected", reason: expect.objectContaining({ code: "HF_STATE_DISK_FULL" }) },
      { status: "rejected", reason: expect.objectContaining({ code: "HF_STATE_DISK_FULL" }) },
    ]);
    expect(db.run("t", (d) => d.prepare("SELECT v FROM big").all())).toEqual([]);
    await expect(db.grouped("t", (d) => d.prepare("INSERT INTO big VALUES ('after')").run().changes)).resolves.toBe(1);
    db.close();
  });

  it("prepares a statement once per SQL text, keeps row modes per user and stays bounded", () => {
    const { stateDir } = tempStateDir();
    const { db } = open(stateDir);
    const sql = "SELECT name FROM migrations ORDER BY name";
    db.run("t", (d) => d.prepare("INSERT INTO migrations (name, done_at) VALUES ('m', 1)").run());
    const [a, b] = db.run("t", (d) => [d.prepare(sql), d.prepare(sql)]);
    expect(a).toBe(b);
    const plucked = db.run("t", (d) => d.prepare(sql).pluck());
    expect(plucked).not.toBe(a);
    expect(plucked.all()).toEqual(["m"]);
    expect(a?.all()).toEqual([{ name: "m" }]);
    expect(db.run("t", (d) => d.prepare(sql).raw().all())).toEqual([["m"]]);
    expect(db.run("t", (d) => d.prepare(sql).get())).toEqual({ name: "m" });
    for (let i = 0; i <= STATEMENT_CACHE_SIZE; i++) db.run("t", (d) => d.prepare(`SELECT ${i} AS n`).get());
    expect(db.run("t", (d) => d.prepare(sql))).not.toBe(a);
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
