import { describe, expect, it } from "vitest";
import { changedKeyPaths } from "./write.js";

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
