import { mkdir, mkdtemp, readdir, readFile, stat, utimes } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import {
  JsonFileStore,
  secretEquals,
  stateFileEvents,
  writeFileAtomic,
  backoffDelayMs,
  type CorruptStateFile,
} from "./index.js";
import { appendLinePrivate } from "./fs-atomic.js";

describe("atomic state files", () => {
  it("creates 700 directories and 600 files, leaving no temp files behind", async () => {
    const root = await mkdtemp(path.join(os.tmpdir(), "hf-atomic-"));
    const file = path.join(root, "a", "b", "state.json");
    await writeFileAtomic(file, "one");
    await writeFileAtomic(file, "two");
    expect(await readFile(file, "utf8")).toBe("two");
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect((await stat(path.dirname(file))).mode & 0o777).toBe(0o700);
    expect(await readdir(path.dirname(file))).toEqual(["state.json"]);
  });

  it("appends private lines", async () => {
    const file = path.join(await mkdtemp(path.join(os.tmpdir(), "hf-append-")), "t.jsonl");
    await appendLinePrivate(file, "{}");
    await appendLinePrivate(file, "{}\n");
    expect(await readFile(file, "utf8")).toBe("{}\n{}\n");
    expect((await stat(file)).mode & 0o777).toBe(0o600);
  });

  it("serializes concurrent updates of a JSON store without losing any", async () => {
    const file = path.join(await mkdtemp(path.join(os.tmpdir(), "hf-store-")), "counter.json");
    const store = new JsonFileStore<{ n: number }>(
      file,
      (raw) => raw as { n: number },
      () => ({ n: 0 }),
    );
    await Promise.all(
      Array.from({ length: 20 }, () => store.update((cur) => ({ value: { n: cur.n + 1 }, result: undefined }))),
    );
    expect(await store.read()).toEqual({ n: 20 });
  });

  it("moves a corrupt store aside, reports it and starts empty (never overwriting the bad content)", async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), "hf-corrupt-"));
    const file = path.join(dir, "x.json");
    await writeFileAtomic(file, "{oops");
    const store = new JsonFileStore(
      file,
      (raw) => raw as { n?: number },
      () => ({}),
    );
    const seen: CorruptStateFile[] = [];
    const on = (e: CorruptStateFile) => seen.push(e);
    stateFileEvents.on("corrupt", on);
    try {
      expect(await store.read()).toEqual({});
    } finally {
      stateFileEvents.off("corrupt", on);
    }
    expect(seen).toEqual([
      { file, movedTo: expect.stringMatching(/x\.json\.corrupt\.\d+$/), problem: expect.stringMatching(/^not valid/) },
    ]);
    expect(await readFile(seen[0]?.movedTo as string, "utf8")).toBe("{oops");
    await store.update(() => ({ value: { n: 1 }, result: undefined }));
    expect(await store.read()).toEqual({ n: 1 });
  });
});

describe("stale locks", () => {
  it("takes over a lock left behind by a killed process (older than 30 s) instead of failing", async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), "hf-stale-"));
    const file = path.join(dir, "paired.json");
    await mkdir(`${file}.lock`);
    const old = new Date(Date.now() - 60_000);
    await utimes(`${file}.lock`, old, old);
    const store = new JsonFileStore(
      file,
      (raw) => raw as { n?: number },
      () => ({}),
    );
    await store.update(() => ({ value: { n: 1 }, result: undefined }));
    expect(await store.read()).toEqual({ n: 1 });
    expect(await readdir(dir)).toEqual(["paired.json"]);
  });
});

describe("secretEquals", () => {
  it("matches only identical non-empty strings", () => {
    expect(secretEquals("abc", "abc")).toBe(true);
    expect(secretEquals("abc", "abd")).toBe(false);
    expect(secretEquals("abc", "abcd")).toBe(false);
    expect(secretEquals("", "")).toBe(false);
    expect(secretEquals(undefined, "x")).toBe(false);
    expect(secretEquals("é", "é")).toBe(true);
  });
});

describe("backoff", () => {
  it("doubles from 0.5 s and caps at 8 s", () => {
    expect([0, 1, 2, 3, 4, 5, 9].map((a) => backoffDelayMs(a))).toEqual([500, 1000, 2000, 4000, 8000, 8000, 8000]);
  });
});
