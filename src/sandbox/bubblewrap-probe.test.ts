import { describe, expect, it, vi } from "vitest";
import { BubblewrapBackend } from "./bubblewrap.js";
import type { Availability } from "./types.js";

type Probing = { runProbe(): Promise<Availability> };

/** The availability probe (real bubblewrap): the gateway starts it beside its start, execs ask too. */
describe("bubblewrap availability probe", () => {
  it("runs one probe for callers at the same time, and none once a probe succeeded", async () => {
    const backend = new BubblewrapBackend();
    const spy = vi.spyOn(BubblewrapBackend.prototype as unknown as Probing, "runProbe");
    try {
      const results = await Promise.all([backend.availability(), backend.availability(), backend.availability()]);
      expect(spy).toHaveBeenCalledTimes(1);
      expect(results).toEqual([{ ok: true }, { ok: true }, { ok: true }]);
      expect(await backend.availability()).toEqual({ ok: true });
      expect(spy).toHaveBeenCalledTimes(1);
    } finally {
      spy.mockRestore();
    }
  });

  it("probes again after a failure once 30 s passed, one probe for concurrent callers", async () => {
    let now = 0;
    const backend = new BubblewrapBackend({ now: () => now });
    const failed: Availability = { ok: false, reason: "no jail here" };
    const spy = vi.spyOn(BubblewrapBackend.prototype as unknown as Probing, "runProbe").mockResolvedValue(failed);
    try {
      expect(await Promise.all([backend.availability(), backend.availability()])).toEqual([failed, failed]);
      now = 29_999;
      await backend.availability();
      expect(spy).toHaveBeenCalledTimes(1);
      now = 30_000;
      await Promise.all([backend.availability(), backend.availability()]);
      expect(spy).toHaveBeenCalledTimes(2);
    } finally {
      spy.mockRestore();
    }
  });
});
