import { describe, expect, it } from "vitest";
import { SecretsRuntime } from "./runtime.js";
import { SecretsSnapshot } from "./snapshot.js";

const snap = (entries: Record<string, string>) => new SecretsSnapshot(new Map(Object.entries(entries)));

describe("SecretsRuntime", () => {
  it("swaps the whole snapshot at once and reports changed paths, never values", () => {
    const rt = new SecretsRuntime(snap({ a: "value-a-1", b: "value-b-1" }));
    const swap = rt.swap(snap({ a: "value-a-1", b: "value-b-2", c: "value-c-1" }));
    expect(swap.changed).toEqual(["b", "c"]);
    expect(swap.version).toBe(1);
    expect(rt.get("b")).toBe("value-b-2");
    expect(rt.paths().sort()).toEqual(["a", "b", "c"]);
  });

  it("keeps earlier values in values() so a rotated key stays redacted", () => {
    const rt = new SecretsRuntime(snap({ k: "old-secret-value" }));
    rt.swap(snap({ k: "new-secret-value-longer" }));
    expect(rt.values()).toEqual(["new-secret-value-longer", "old-secret-value"]);
  });

  it("tells listeners after the swap and collects their errors", () => {
    const rt = new SecretsRuntime();
    const seen: string[] = [];
    rt.onSwap(() => seen.push(rt.get("x") ?? "none"));
    rt.onSwap(() => {
      throw new Error("listener broke");
    });
    const swap = rt.swap(snap({ x: "xx-value" }));
    expect(seen).toEqual(["xx-value"]);
    expect(swap.listenerErrors).toHaveLength(1);
    expect(rt.get("x")).toBe("xx-value");
  });

  it("skips values shorter than 4 characters and duplicates", () => {
    expect(snap({ a: "abc", b: "abcd", c: "abcd" }).values()).toEqual(["abcd"]);
  });
});
