import { describe, expect, it } from "vitest";
import { captureLogger } from "../../test/support/capture-log.js";
import { HoldfastError } from "../errors/index.js";
import { StorageHealth } from "./index.js";

const full = new HoldfastError("HF_STATE_DISK_FULL", "saving the message failed: the disk is full (ENOSPC)", {
  store: "transcripts",
});

describe("storage health", () => {
  it("logs the first failure loudly, rate-limits repeats, and logs the recovery once", () => {
    let now = 0;
    const { log, lines } = captureLogger();
    const h = new StorageHealth(log, () => now);
    let changes = 0;
    h.onChange(() => changes++);
    h.fail("transcripts", full);
    now = 1_000;
    h.fail("transcripts", full);
    now = 11_000;
    h.fail("transcripts", full);
    expect(h.snapshot()).toEqual({
      ok: false,
      degraded: [
        expect.objectContaining({
          store: "transcripts",
          code: "HF_STATE_DISK_FULL",
          cause: "disk_full",
          since: 0,
          failures: 3,
        }),
      ],
      corrupt: [],
    });
    h.ok("transcripts");
    h.ok("transcripts");
    expect(h.degraded()).toBe(false);
    expect(lines.map((l) => [l["level"], l["msg"]])).toEqual([
      [50, "storage degraded: transcripts: saving the message failed: the disk is full (ENOSPC)"],
      [50, "storage degraded: transcripts: saving the message failed: the disk is full (ENOSPC)"],
      [40, "storage recovered: transcripts"],
    ]);
    expect(changes).toBe(2);
  });
});
