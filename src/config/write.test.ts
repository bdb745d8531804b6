import { chmod, mkdtemp, readFile, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { changedKeyPaths, updateConfigFile } from "./write.js";

describe("changedKeyPaths", () => {
  it("names added, removed and changed leaves by dotted path, arrays whole, never values", () => {
    const before = { gateway: { bind: "loopback", auth: { token: "old-secret" } }, tools: { deny: ["exec"] }, a: 1 };
    const after = { gateway: { bind: "lan", auth: { token: "new-secret" } }, tools: { deny: ["exec", "web"] }, b: 2 };
    const paths = changedKeyPaths(before, after);
    expect(paths).toEqual(["a", "b", "gateway.auth.token", "gateway.bind", "tools.deny"]);
    expect(paths.join(" ")).not.toContain("secret");
    expect(changedKeyPaths(before, structuredClone(before))).toEqual([]);
  });
});

describe("updateConfigFile", () => {
  it("writes the config 600, creates a missing directory 700 and leaves the mode of an existing one alone", async () => {
    const shared = await mkdtemp(path.join(tmpdir(), "hf-config-dir-"));
    await chmod(shared, 0o755);
    const inShared = path.join(shared, "holdfast.json5");
    await updateConfigFile(inShared, (raw) => ({ ...raw, gateway: { port: 18790 } }), {});
    expect((await stat(shared)).mode & 0o777).toBe(0o755);
    expect((await stat(inShared)).mode & 0o777).toBe(0o600);
    expect(JSON.parse(await readFile(inShared, "utf8"))).toEqual({ gateway: { port: 18790 } });

    const fresh = path.join(shared, "new", "holdfast.json5");
    await updateConfigFile(fresh, (raw) => ({ ...raw, gateway: { port: 18791 } }), {});
    expect((await stat(path.dirname(fresh))).mode & 0o777).toBe(0o700);
    expect((await stat(shared)).mode & 0o777).toBe(0o755);
    await rm(shared, { recursive: true, force: true });
  });
});
