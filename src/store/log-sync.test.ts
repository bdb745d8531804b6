import * as fs from "node:fs";
import { mkdtempSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { captureLogger } from "../../test/support/capture-log.js";
import { tempStateDir } from "../../test/support/temp-state.js";
import { StateDb, StorageHealth, stateDbPath } from "./index.js";
import { LogSync } from "./log-sync.js";

type Fs = typeof fs;
vi.mock("node:fs", async (importOriginal) => {
  const real = await importOriginal<Fs>();
  return { ...real, fsync: vi.fn(real.fsync) };
});
const fsyncMock = vi.mocked(fs.fsync);
afterEach(() => fsyncMock.mockClear());

function dbFile(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), "hf-logsync-"));
  const file = path.join(dir, "x.sqlite");
  writeFileSync(`${file}-wal`, "log");
  return file;
}

describe("LogSync", () => {
  it("shares fsyncs: calls while one is in flight wait for one more, which covers them all", async () => {
    const sync = new LogSync(dbFile());
    const first = sync.durable();
    const during = [sync.durable(), sync.durable(), sync.durable()];
    expect(during[0]).toBe(during[2]);
    await Promise.all([first, ...during]);
    expect(fsyncMock).toHaveBeenCalledTimes(2);
    await sync.durable();
    expect(fsyncMock).toHaveBeenCalledTimes(3);
    sync.close();
    await expect(sync.durable()).resolves.toBeUndefined();
    expect(fsyncMock).toHaveBeenCalledTimes(3);
  });

  it("rejects with the fsync's error, and the next call tries again", async () => {
    const sync = new LogSync(dbFile());
    fsyncMock.mockImplementationOnce((_fd, cb) =>
      cb(Object.assign(new Error("EIO: i/o error, fsync"), { code: "EIO" })),
    );
    await expect(sync.durable()).rejects.toMatchObject({ code: "EIO" });
    await expect(sync.durable()).resolves.toBeUndefined();
    sync.close();
  });
});

describe("StateDb.grouped with the log fsynced off the main thread", () => {
  const open = () => {
    const { stateDir } = tempStateDir();
    const log = captureLogger();
    const health = new StorageHealth(log.log);
    const db = StateDb.open({ file: stateDbPath(stateDir), log: log.log, health });
    db.run("t", (d) => d.exec("CREATE TABLE t (v TEXT)"));
    return { db, health };
  };

  it("resolves a group only after an fsync of the log that followed its commit", async () => {
    const { db } = open();
    const writes = ["a", "b", "c"].map((v) =>
      db.grouped("t", (d) => d.prepare("INSERT INTO t VALUES (?)").run(v).changes),
    );
    expect(fsyncMock).not.toHaveBeenCalled();
    await expect(Promise.all(writes)).resolves.toEqual([1, 1, 1]);
    expect(fsyncMock).toHaveBeenCalledTimes(1);
    expect(db.run("t", (d) => d.pragma("synchronous", { simple: true }))).toBe(2);
    db.close();
  });

  it("rejects every write of the group with a storage error when the fsync fails, and reports it", async () => {
    const { db, health } = open();
    fsyncMock.mockImplementationOnce((_fd, cb) =>
      cb(Object.assign(new Error("EIO: i/o error, fsync"), { code: "EIO" })),
    );
    const writes = [db.grouped("t", (d) => d.prepare("INSERT INTO t VALUES ('x')").run().changes)];
    await expect(writes[0]).rejects.toMatchObject({ code: "HF_STATE_IO" });
    expect(health.snapshot()).toMatchObject({ ok: false, degraded: [{ store: "state-db", code: "HF_STATE_IO" }] });
    await expect(db.grouped("t", (d) => d.prepare("INSERT INTO t VALUES ('y')").run().changes)).resolves.toBe(1);
    db.close();
  });
});
