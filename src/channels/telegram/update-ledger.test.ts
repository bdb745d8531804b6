import { mkdtemp, stat } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { UpdateLedger } from "./update-ledger.js";

describe("UpdateLedger", () => {
  it("persists handled ids (600) and gives the next offset", async () => {
    const file = path.join(await mkdtemp(path.join(os.tmpdir(), "hf-led-")), "telegram", "update-offset-default.json");
    const a = await UpdateLedger.open(file);
    expect(a.nextOffset()).toBeUndefined();
    await a.mark(10);
    await a.mark(12);
    const b = await UpdateLedger.open(file);
    expect([b.isNew(10), b.isNew(11), b.isNew(12), b.isNew(13)]).toEqual([false, true, false, true]);
    expect(b.nextOffset()).toBe(13);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
  });

  it("treats ids older than its window as handled", async () => {
    const file = path.join(await mkdtemp(path.join(os.tmpdir(), "hf-led-")), "l.json");
    const l = await UpdateLedger.open(file);
    for (let i = 1000; i < 1300; i++) await l.mark(i);
    expect(l.isNew(1)).toBe(false);
    expect(l.isNew(1300)).toBe(true);
  });
});
