import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { acquireInstanceLock } from "./instance-lock.js";

const dirs: string[] = [];
function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "holdfast-lock-"));
  dirs.push(dir);
  return dir;
}
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

describe("acquireInstanceLock", () => {
  it("lets one holder at a time take the state dir, and the next one after release", () => {
    const dir = tempDir();
    const lock = acquireInstanceLock(dir);
    expect(fs.statSync(lock.file).mode & 0o777).toBe(0o600);
    expect(() => acquireInstanceLock(dir)).toThrow(expect.objectContaining({ code: "HF_GATEWAY_RUNNING" }));
    lock.release();
    lock.release();
    const next = acquireInstanceLock(dir);
    next.release();
  });

  it("refuses a lock path that is a symlink instead of following it", () => {
    const dir = tempDir();
    const target = path.join(tempDir(), "elsewhere");
    fs.symlinkSync(target, path.join(dir, "gateway.lock"));
    expect(() => acquireInstanceLock(dir)).toThrow(expect.objectContaining({ code: "HF_STATE_IO" }));
    expect(fs.existsSync(target)).toBe(false);
  });
});
