import { mkdtemp } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { captureLogger } from "../../test/support/capture-log.js";
import { HoldfastError } from "../errors/index.js";
import { systemClock } from "../infra/index.js";
import { createSandboxStage } from "./stage.js";
import type { Availability, SandboxBackend } from "./types.js";

/** A host-jail backend whose availability probe ends when the test says so. */
function heldProbe(): { backend: SandboxBackend; end: (a: Availability) => void; probes: () => number } {
  let end: (a: Availability) => void = () => undefined;
  let probes = 0;
  const pending = new Promise<Availability>((resolve) => (end = resolve));
  const refuse = () => Promise.reject(new HoldfastError("HF_SANDBOX_UNAVAILABLE", "not in this test"));
  const backend: SandboxBackend = {
    kind: "bubblewrap",
    availability: () => (probes++, pending),
    run: refuse,
    files: refuse,
  };
  return { backend, end: (a) => end(a), probes: () => probes };
}

describe("sandbox stage start", () => {
  it("returns before the host-jail probe ends, logs its outcome when it does, and stop waits for it", async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), "hf-sandbox-start-"));
    const { log, text } = captureLogger();
    const probe = heldProbe();
    const stage = await createSandboxStage({
      config: {},
      configPath: path.join(dir, "holdfast.json"),
      sandboxesDir: path.join(dir, "sandboxes"),
      mediaDir: path.join(dir, "media"),
      roster: { ids: () => ["main"], workspaceOf: () => path.join(dir, "workspace") },
      sessionIdOf: async () => undefined,
      clock: systemClock,
      log,
      backends: { bubblewrap: probe.backend },
    });
    await stage.start();
    expect(probe.probes()).toBe(1);
    let stopped = false;
    const stopping = stage.stop().then(() => (stopped = true));
    await new Promise((r) => setTimeout(r, 20));
    expect(stopped).toBe(false);
    probe.end({ ok: false, reason: "bwrap is missing" });
    await stopping;
    expect(text()).toContain("bwrap is missing");
  });
});
