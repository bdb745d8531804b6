import { readdirSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { tempStateDir } from "../../test/support/temp-state.js";
import { assertWritable } from "./index.js";

describe("start-up write probe", () => {
  it("creates missing state directories 700 and leaves nothing behind", async () => {
    const { stateDir } = tempStateDir();
    const dir = path.join(stateDir, "devices");
    await assertWritable([dir]);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    expect(readdirSync(dir)).toEqual([]);
  });

  it("names the directory that cannot be written", async () => {
    const { stateDir } = tempStateDir();
    writeFileSync(path.join(stateDir, "devices"), "a file, not a directory");
    await expect(assertWritable([path.join(stateDir, "devices")])).rejects.toMatchObject({
      code: "HF_STATE_IO",
      message: expect.stringContaining(`writing to ${path.join(stateDir, "devices")} failed`),
    });
  });

  it("probes every directory and names the first one that failed", async () => {
    const { stateDir } = tempStateDir();
    const dirs = ["agents", "credentials", "devices"].map((d) => path.join(stateDir, d));
    writeFileSync(dirs[1] as string, "not a directory");
    writeFileSync(dirs[2] as string, "not a directory either");
    await expect(assertWritable(dirs)).rejects.toMatchObject({
      message: expect.stringContaining(`writing to ${dirs[1] as string} failed`),
    });
    expect(readdirSync(dirs[0] as string)).toEqual([]);
  });

  it("with create: false probes the nearest existing parent and creates nothing", async () => {
    const { stateDir } = tempStateDir();
    const dir = path.join(stateDir, "devices", "deeper");
    await assertWritable([dir], { create: false });
    expect(readdirSync(stateDir).filter((n) => n === "devices")).toEqual([]);
    // Missing directories that share their nearest existing parent are probed there at the same time.
    await assertWritable(
      ["agents", "credentials", "devices"].map((d) => path.join(stateDir, d)),
      { create: false },
    );
    expect(readdirSync(stateDir).filter((n) => n.startsWith(".write-probe"))).toEqual([]);
  });
});
