import { mkdir, mkdtemp, readFile, readdir, rename, stat, symlink, utimes, writeFile, chmod } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { isHoldfastError } from "../errors/index.js";
import { LogFile, datedLogFile } from "./log-file.js";
import { createLogger } from "./logger.js";
import { Redactor } from "./redact.js";

const tmp = () => mkdtemp(path.join(os.tmpdir(), "holdfast-log-"));
const mode = async (p: string) => (await stat(p)).mode & 0o777;
const lines = async (file: string) =>
  (await readFile(file, "utf8"))
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l) as Record<string, unknown>);

describe("createLogger", () => {
  it("writes redacted JSON lines to a 600 file in a 700 directory it creates", async () => {
    const file = path.join(await tmp(), "logs", "gw.log");
    const secret = "canary-logger-secret-0123456789";
    const log = createLogger({
      level: "debug",
      consoleLevel: "silent",
      file,
      redactor: new Redactor({ secrets: { values: () => [secret] } }),
    });
    log.info({ note: `value ${secret}` }, `started with ${secret}`);
    log.debug({ header: "Bearer abcdefghijklmnopqrstuvwxyz" }, "debug line");
    expect(await mode(file)).toBe(0o600);
    expect(await mode(path.dirname(file))).toBe(0o700);
    const text = await readFile(file, "utf8");
    expect(text).not.toContain(secret);
    expect(text).not.toContain("abcdefghijklmnopqrstuvwxyz");
    expect((await lines(file)).map((l) => l.msg)).toEqual(["started with ***", "debug line"]);
  });

  it('never writes tool arguments, outputs, URLs or message text in "tools" mode; "off" keeps them but still masks secrets', async () => {
    const dir = await tmp();
    const secret = "another-canary-secret-abcdef";
    const redactor = new Redactor({ secrets: { values: () => [secret] } });
    const entry = {
      tool: "exec",
      args: { command: "cat notes.txt" },
      url: "https://example.test/x",
      content: "hello there",
      apiKey: "k-123",
    };
    const tools = createLogger({ level: "debug", consoleLevel: "silent", file: path.join(dir, "tools.log"), redactor });
    tools.debug(entry, "tool call");
    const off = createLogger({
      level: "debug",
      consoleLevel: "silent",
      file: path.join(dir, "off.log"),
      redactor,
      redactSensitive: "off",
    });
    off.debug({ ...entry, args: { command: `echo ${secret}` } }, "tool call");
    const [t] = await lines(path.join(dir, "tools.log"));
    expect(t).toMatchObject({
      tool: "exec",
      args: "[redacted]",
      url: "[redacted]",
      content: "[redacted]",
      apiKey: "[redacted]",
    });
    const [o] = await lines(path.join(dir, "off.log"));
    expect(o).toMatchObject({
      tool: "exec",
      url: "https://example.test/x",
      content: "hello there",
      apiKey: "[redacted]",
    });
    expect(JSON.stringify(o)).not.toContain(secret);
  });

  it("stamps every line with the pid and the instance (which gateway wrote it)", async () => {
    const file = path.join(await tmp(), "inst.log");
    const log = createLogger({ consoleLevel: "silent", file, base: { instance: "feedbeef" } });
    log.info("hello");
    expect((await lines(file))[0]).toMatchObject({ pid: process.pid, instance: "feedbeef", msg: "hello" });
  });

  it("writes only lines at or above logging.level", async () => {
    const file = path.join(await tmp(), "level.log");
    const log = createLogger({ level: "warn", consoleLevel: "silent", file });
    log.info("not written");
    log.debug("not written either");
    log.warn("written");
    expect((await lines(file)).map((l) => l.msg)).toEqual(["written"]);
  });
});

describe("LogFile", () => {
  it("writes the dated default and starts a new file when the day changes", async () => {
    const dir = path.join(await tmp(), "holdfast");
    let now = new Date("2026-03-01T23:59:59Z");
    const f = new LogFile({ dir, now: () => now });
    f.write("day one\n");
    now = new Date("2026-03-02T00:00:01Z");
    f.write("day two\n");
    f.close();
    expect(await readFile(datedLogFile(new Date("2026-03-01T12:00:00Z"), dir), "utf8")).toBe("day one\n");
    expect(await readFile(path.join(dir, "holdfast-2026-03-02.log"), "utf8")).toBe("day two\n");
    expect(await mode(dir)).toBe(0o700);
  });

  it("keeps the newest maxFiles days of dated files (with their rotations) and deletes older days", async () => {
    const dir = path.join(await tmp(), "logs");
    await mkdir(dir, { recursive: true });
    for (const day of ["2026-02-20", "2026-02-25", "2026-02-27", "2026-02-28"])
      await writeFile(path.join(dir, `holdfast-${day}.log`), `${day}\n`);
    await writeFile(path.join(dir, "holdfast-2026-02-20.log.1"), "old rotation\n");
    await writeFile(path.join(dir, "notes.txt"), "not a log\n");
    const f = new LogFile({ dir, maxFiles: 3, now: () => new Date("2026-03-01T10:00:00Z") });
    f.write("today\n");
    f.close();
    expect((await readdir(dir)).sort()).toEqual([
      "holdfast-2026-02-27.log",
      "holdfast-2026-02-28.log",
      "holdfast-2026-03-01.log",
      "notes.txt",
    ]);
  });

  it("rotates at maxFileBytes and keeps numbered archives (600)", async () => {
    const dir = await tmp();
    const file = path.join(dir, "r.log");
    const f = new LogFile({ file, maxFileBytes: 100 });
    for (let i = 0; i < 12; i++) f.write(`${"x".repeat(40)}${i}\n`);
    f.close();
    const names = (await readdir(dir)).sort();
    expect(names).toEqual(["r.log", "r.log.1", "r.log.2", "r.log.3", "r.log.4", "r.log.5"]);
    for (const n of names) expect(await mode(path.join(dir, n))).toBe(0o600);
  });

  it("moves a configured logging.file to <file>.1 on the first line of a new day, also after a restart", async () => {
    const dir = await tmp();
    const file = path.join(dir, "gw.log");
    let now = new Date("2026-03-01T23:59:59Z");
    const f = new LogFile({ file, now: () => now });
    f.write("day one\n");
    now = new Date("2026-03-02T00:00:01Z");
    f.write("day two\n");
    f.close();
    expect(await readFile(`${file}.1`, "utf8")).toBe("day one\n");
    expect(await readFile(file, "utf8")).toBe("day two\n");
    // A restart on a later day: the file last written on an earlier day moves first.
    await utimes(file, new Date("2026-03-02T08:00:00Z"), new Date("2026-03-02T08:00:00Z"));
    await utimes(`${file}.1`, new Date("2026-03-01T23:59:59Z"), new Date("2026-03-01T23:59:59Z"));
    const g = new LogFile({ file, now: () => new Date("2026-03-03T09:00:00Z") });
    g.write("day three\n");
    g.close();
    expect([
      await readFile(file, "utf8"),
      await readFile(`${file}.1`, "utf8"),
      await readFile(`${file}.2`, "utf8"),
    ]).toEqual(["day three\n", "day two\n", "day one\n"]);
    for (const n of await readdir(dir)) expect(await mode(path.join(dir, n))).toBe(0o600);
  });

  it("deletes a configured logging.file's archives older than maxFiles days (default 7) and keeps the rest", async () => {
    const dir = await tmp();
    const file = path.join(dir, "gw.log");
    const now = new Date("2026-03-10T12:00:00Z");
    const ageDays = { "gw.log": 0, "gw.log.1": 1, "gw.log.2": 6, "gw.log.3": 7, "gw.log.4": 30, "other.log.1": 30 };
    for (const [n, days] of Object.entries(ageDays)) {
      await writeFile(path.join(dir, n), `${n}\n`);
      const t = new Date(Date.parse("2026-03-10T00:30:00Z") - days * 86_400_000);
      await utimes(path.join(dir, n), t, t);
    }
    new LogFile({ file, now: () => now }).close();
    // Days 2026-03-04 … 2026-03-10 are the newest seven: an archive last written on 03-03 or earlier goes.
    expect((await readdir(dir)).sort()).toEqual(["gw.log", "gw.log.1", "gw.log.2", "other.log.1"]);
    new LogFile({ file, maxFiles: 2, now: () => now }).close();
    expect((await readdir(dir)).sort()).toEqual(["gw.log", "gw.log.1", "other.log.1"]);
  });

  it("reopens a shared logging.file another process already rotated, rather than rotating it again", async () => {
    const dir = await tmp();
    const file = path.join(dir, "shared.log");
    let now = new Date("2026-03-01T22:00:00Z");
    const a = new LogFile({ file, now: () => now });
    a.write("a day one\n");
    // Another gateway writing the same file moved it at the change of day.
    await rename(file, `${file}.1`);
    await writeFile(file, "b day two\n");
    now = new Date("2026-03-02T01:00:00Z");
    a.write("a day two\n");
    a.close();
    expect(await readFile(file, "utf8")).toBe("b day two\na day two\n");
    expect(await readFile(`${file}.1`, "utf8")).toBe("a day one\n");
    expect(await readdir(dir)).not.toContain("shared.log.2");
  });

  it("tightens an existing log file to 600", async () => {
    const dir = await tmp();
    const file = path.join(dir, "loose.log");
    await writeFile(file, "");
    await chmod(file, 0o644);
    new LogFile({ file }).close();
    expect(await mode(file)).toBe(0o600);
  });

  it("refuses a symlinked log file or directory", async () => {
    const dir = await tmp();
    await mkdir(path.join(dir, "real"));
    await symlink(path.join(dir, "real"), path.join(dir, "link"));
    const viaDir = (() => {
      try {
        return new LogFile({ file: path.join(dir, "link", "x.log") });
      } catch (e) {
        return e;
      }
    })();
    expect(isHoldfastError(viaDir, "HF_LOG_FILE_INSECURE")).toBe(true);
    await writeFile(path.join(dir, "target.log"), "");
    await symlink(path.join(dir, "target.log"), path.join(dir, "real", "x.log"));
    expect(() => new LogFile({ file: path.join(dir, "real", "x.log") })).toThrow(/cannot open log file/);
  });
});
