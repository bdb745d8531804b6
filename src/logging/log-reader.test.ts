import { appendFile, mkdtemp, utimes, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { findLogFiles, followLog, formatLogLine, lineInstance, tailAcross } from "./log-reader.js";

const tmp = () => mkdtemp(path.join(os.tmpdir(), "holdfast-logread-"));

describe("log reader", () => {
  it("finds dated logs and rotations newest first, or the configured file", async () => {
    const dir = await tmp();
    for (const [n, t] of [
      ["holdfast-2026-01-01.log", 1],
      ["holdfast-2026-01-02.log", 3],
      ["holdfast-2026-01-02.log.1", 2],
      ["other.log", 4],
    ] as const) {
      await writeFile(path.join(dir, n), "");
      await utimes(path.join(dir, n), t, t);
    }
    expect((await findLogFiles(undefined, dir)).map((f) => path.basename(f))).toEqual([
      "holdfast-2026-01-02.log",
      "holdfast-2026-01-02.log.1",
      "holdfast-2026-01-01.log",
    ]);
    expect((await findLogFiles(path.join(dir, "other.log"), "/nowhere")).map((f) => path.basename(f))).toEqual([
      "other.log",
    ]);
  });

  it("tails across files, oldest line first, up to a byte offset of the newest", async () => {
    const dir = await tmp();
    await writeFile(path.join(dir, "old"), "a\nb\n");
    await writeFile(path.join(dir, "new"), "c\nd\ne\n");
    expect(await tailAcross([path.join(dir, "new"), path.join(dir, "old")], 4)).toEqual(["b", "c", "d", "e"]);
    expect(await tailAcross([path.join(dir, "new"), path.join(dir, "old")], 2, 4)).toEqual(["c", "d"]);
  });

  it("follows appended lines, then the next file", async () => {
    const dir = await tmp();
    const first = path.join(dir, "1.log");
    const second = path.join(dir, "2.log");
    await writeFile(first, "old\n");
    let current = first;
    const seen: string[] = [];
    const controller = new AbortController();
    const done = followLog({
      current: async () => current,
      startFile: first,
      startOffset: 4,
      onLine: (l) => {
        seen.push(l);
        if (seen.length === 3) controller.abort();
      },
      signal: controller.signal,
      intervalMs: 10,
    });
    await appendFile(first, "one\ntw");
    await new Promise((r) => setTimeout(r, 50));
    await appendFile(first, "o\n");
    await new Promise((r) => setTimeout(r, 50));
    await writeFile(second, "three\n");
    current = second;
    await done;
    expect(seen).toEqual(["one", "two", "three"]);
  });

  it("formats JSON lines for people and leaves other lines alone", () => {
    const line = JSON.stringify({
      level: 40,
      time: Date.UTC(2026, 0, 1),
      pid: 7,
      hostname: "h",
      msg: "model call failed",
      model: "mock/m",
      attempt: 1,
    });
    expect(formatLogLine(line)).toBe("2026-01-01T00:00:00.000Z WARN  [pid 7] model call failed model=mock/m attempt=1");
    expect(formatLogLine(line, { pid: false })).toBe(
      "2026-01-01T00:00:00.000Z WARN  model call failed model=mock/m attempt=1",
    );
    const other = JSON.stringify({ level: 30, time: 0, pid: 8, instance: "abcd1234", msg: "hi" });
    expect(formatLogLine(other, { instance: true })).toBe(
      "1970-01-01T00:00:00.000Z INFO  [pid 8] hi instance=abcd1234",
    );
    expect(lineInstance(other)).toBe("abcd1234");
    expect(lineInstance(line)).toBeUndefined();
    expect(lineInstance("plain text")).toBeUndefined();
    expect(formatLogLine("plain text")).toBe("plain text");
  });
});
