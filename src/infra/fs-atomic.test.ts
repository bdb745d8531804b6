import { mkdtemp, readdir, readFile, stat } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { JsonFileStore, secretEquals, writeFileAtomic, backoffDelayMs } from "./index.js";
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

  it("reports a corrupt store instead of overwriting it", async () => {
    const file = path.join(await mkdtemp(path.join(os.tmpdir(), "hf-corrupt-")), "x.json");
    await writeFileAtomic(file, "{oops");
    const store = new JsonFileStore(
      file,
      (raw) => raw,
      () => ({}),
    );
    await expect(store.read()).rejects.toMatchObject({ code: "HF_STATE_CORRUPT" });
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
