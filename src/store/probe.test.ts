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
});
